"""Validación: the work reported done (POR_VALIDAR) or sent for review (REVISION), with what the technician
did, and the finalizar / observar forms the rule allows, applied from the page."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import pytest

from tests.api.tablero.colas import (
    LIMA,
    accion,
    acciones_de,
    crear_pendiente,
    formulario,
    ids_en,
    leer,
    tarjeta,
    tecnico_nuevo,
)

RUTA = "/tablero/validacion"


@pytest.fixture
async def tecnico(http, h):
    return await tecnico_nuevo(http, h)


async def trabajado(http, h, tecnico, marca: str, final: str | None) -> int:
    """Assigned to `tecnico`, started, and ended with `final` (terminar, solicitar_revision) if given."""
    pendiente_id = await crear_pendiente(http, h, datetime.now(LIMA))
    cambio = {"direccion": f"Calle {marca}"}
    r = await http.put(f"/api/pendientes/{pendiente_id}", json=cambio, headers=h["coordinadora"])
    assert r.status_code == 200, r.text
    await accion(http, h["coordinadora"], pendiente_id, "asignar", tecnicoId=tecnico["empleadoId"])
    await accion(http, tecnico["h"], pendiente_id, "comenzar")
    await accion(
        http, tecnico["h"], pendiente_id, final, **({"motivo": "dudas"} if final != "terminar" else {})
    )
    return pendiente_id


async def test_lo_que_espera_validacion_con_lo_que_hizo_el_tecnico(navegante, ingresar, http, h, tecnico):
    marca = uuid.uuid4().hex[:10]
    por_validar = await crear_pendiente(http, h, datetime.now(LIMA))
    r = await http.put(
        f"/api/pendientes/{por_validar}", json={"direccion": f"Calle {marca}"}, headers=h["coordinadora"]
    )
    await accion(http, h["coordinadora"], por_validar, "asignar", tecnicoId=tecnico["empleadoId"])
    await accion(http, tecnico["h"], por_validar, "comenzar")
    nota = {"pendienteId": por_validar, "nota": "ONU cambiada"}
    assert (await http.post("/api/notas", json=nota, headers=tecnico["h"])).status_code == 201
    productos = (await http.get("/api/productos", headers=h["coordinadora"])).json()["data"]["content"]
    producto = next(p for p in productos if Decimal(str(p["costoUnitario"])) > 0)
    item = {"pendienteId": por_validar, "productoId": producto["id"], "cantidad": 2}
    r = await http.post("/api/productos/pendientes/items", json=item, headers=h["coordinadora"])
    assert r.status_code == 201, r.text
    await accion(http, tecnico["h"], por_validar, "terminar")
    en_revision = await trabajado(http, h, tecnico, marca, "solicitar_revision")
    en_curso = await crear_pendiente(http, h, datetime.now(LIMA))

    await ingresar("asesor")
    r = await navegante.get(RUTA, params={"texto": marca})
    assert r.status_code == 200
    assert set(ids_en(r.text)) == {por_validar, en_revision} and en_curso not in ids_en(r.text)
    card = tarjeta(r.text, por_validar)
    assert "1 nota" in card and "1 ítem" in card
    assert f"S/ {Decimal(str(producto['costoUnitario'])) * 2:.2f}" in card
    assert "Tecnico" in card and "Terminar" in card.replace(
        "terminar", "Terminar"
    )  # the last historial entry
    assert f'href="/tablero/pendientes/{por_validar}"' in card
    for pendiente_id in (por_validar, en_revision):
        api = await http.get(f"/api/pendientes/{pendiente_id}/acciones", headers=h["asesor"])
        assert acciones_de(tarjeta(r.text, pendiente_id), pendiente_id) == set(api.json()["data"]["acciones"])
    assert {"finalizar", "observar"} <= acciones_de(card, por_validar)


async def test_finalizar_y_observar_desde_la_pagina(navegante, ingresar, http, h, tecnico):
    marca = uuid.uuid4().hex[:10]
    a_finalizar = await trabajado(http, h, tecnico, marca, "terminar")
    a_observar = await trabajado(http, h, tecnico, marca, "terminar")
    await ingresar("asesor")
    pagina = await navegante.get(RUTA, params={"texto": marca})
    volver = f"{RUTA}?texto={marca}"

    datos = formulario(pagina.text, a_finalizar, "finalizar")
    assert datos["volver"] == volver
    r = await navegante.post(f"/tablero/pendientes/{a_finalizar}/acciones/finalizar", data=datos)
    assert r.status_code == 303 and r.headers["location"] == f"{volver}&hecho=finalizar"
    assert (await leer(http, h, a_finalizar))["estado"] == "FINALIZADO"

    # Observar needs its reason: without it the page says so and nothing changes.
    datos = formulario(pagina.text, a_observar, "observar")
    r = await navegante.post(f"/tablero/pendientes/{a_observar}/acciones/observar", data=datos)
    assert r.status_code == 422 and "motivo" in r.text
    assert (await leer(http, h, a_observar))["estado"] == "POR_VALIDAR"
    datos["motivo"] = "falta la foto de la ONU instalada"
    r = await navegante.post(f"/tablero/pendientes/{a_observar}/acciones/observar", data=datos)
    assert r.status_code == 303
    assert (await leer(http, h, a_observar))["estado"] == "OBSERVADO"

    pagina = await navegante.get(r.headers["location"])
    assert "Listo: observar" in pagina.text
    assert a_finalizar not in ids_en(pagina.text) and a_observar not in ids_en(pagina.text)


@pytest.mark.parametrize("rol", ["tecnico", "red", "coordinadora", "contabilidad"])
async def test_sin_finalizar_ni_observar_la_pantalla_se_niega(navegante, ingresar, rol):
    await ingresar(rol)
    r = await navegante.get(RUTA)
    assert r.status_code == 403
    assert "FINALIZAR_PENDIENTE" in r.text and "OBSERVAR_PENDIENTE" in r.text
