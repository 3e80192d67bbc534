"""Issue 10 §4 in the pendientes feature: every 422 names the field as the API spells it (camelCase in
`data.campo`), even when the client sent the Python name; and the outcome of a change found by its
Idempotency-Key is dated in the API's zone, like every other timestamp."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from tests.api.pendientes.acciones.conftest import LIMA, manana


def url(pendiente_id: int, resto: str = "") -> str:
    return f"/api/pendientes/{pendiente_id}{resto}"


def assert_422_nombra(r, campo: str) -> None:
    assert r.status_code == 422, r.text
    assert r.json()["data"]["campo"] == campo, r.json()
    assert campo in r.json()["message"], r.json()


@pytest.mark.parametrize(
    ("cuerpo", "campo"),
    [
        ({"fecha_pendiente": "mañana"}, "fechaPendiente"),
        ({"cliente_id": "uno"}, "clienteId"),
        ({"prioridad": "ALTISIMA"}, "prioridad"),
    ],
)
async def test_editar_con_un_valor_invalido_nombra_el_campo_en_camel(http, h, crear, cuerpo, campo):
    pendiente_id = await crear("REGISTRADO")
    r = await http.put(url(pendiente_id), json=cuerpo, headers=h["coordinadora"])
    assert_422_nombra(r, campo)


@pytest.mark.parametrize(
    ("enviado", "campo"),
    [("estado_tecnico", "estadoTecnico"), ("tecnico_id", "tecnicoId"), ("asignado_a_id", "asignadoAId")],
)
async def test_editar_un_campo_del_ciclo_de_vida_en_snake_lo_nombra_y_remite_a_las_acciones(
    http, h, crear, enviado, campo
):
    pendiente_id = await crear("REGISTRADO")
    r = await http.put(url(pendiente_id), json={enviado: "OK"}, headers=h["coordinadora"])
    assert_422_nombra(r, campo)
    assert "/acciones" in r.json()["message"]


async def test_un_nombre_desconocido_se_nombra_tal_como_llego(http, h, crear):
    pendiente_id = await crear("REGISTRADO")
    r = await http.put(url(pendiente_id), json={"color_favorito": "azul"}, headers=h["coordinadora"])
    assert_422_nombra(r, "color_favorito")


async def test_el_nombre_python_sigue_aceptado_para_un_valor_valido(http, h, crear):
    pendiente_id = await crear("REGISTRADO")
    nueva = (manana() + timedelta(days=3)).replace(microsecond=0)
    r = await http.put(
        url(pendiente_id), json={"fecha_pendiente": nueva.isoformat()}, headers=h["coordinadora"]
    )
    assert r.status_code == 200, r.text
    assert datetime.fromisoformat(r.json()["data"]["fechaPendiente"]) == nueva


@pytest.mark.parametrize(
    ("tipo", "segmento", "cuerpo", "campo"),
    [
        ("INSTALACION_INTERNET", "instalacion-internet", {"costo_fijo": -1}, "costoFijo"),
        ("INSTALACION_INTERNET", "instalacion-internet", {"tipo_instalacion": "AEREA?"}, "tipoInstalacion"),
        ("TRASLADO", "traslado", {"lugar_destino": "MARTE"}, "lugarDestino"),
        ("AVERIA", "averia", {"descripcion_falla": 5}, "descripcionFalla"),
    ],
)
async def test_el_detalle_con_un_valor_invalido_nombra_el_campo_en_camel(
    http, h, crear, tipo, segmento, cuerpo, campo
):
    pendiente_id = await crear("REGISTRADO", tipo)
    r = await http.put(url(pendiente_id, f"/{segmento}"), json=cuerpo, headers=h["coordinadora"])
    assert_422_nombra(r, campo)


async def test_crear_con_un_valor_invalido_en_snake_lo_nombra_en_camel(http, h, nuevo_cliente):
    cliente_id = await nuevo_cliente()
    base = {"clienteId": cliente_id, "tipo": "TRASLADO", "lugar": "JULIACA", "prioridad": "MEDIA"}

    cuerpo = base | {"fecha_pendiente": "x"}
    fecha = await http.post("/api/pendientes", json=cuerpo, headers=h["coordinadora"])
    detalle = await http.post(
        "/api/pendientes", json=base | {"detalle": {"lugar_destino": "MARTE"}}, headers=h["coordinadora"]
    )

    assert_422_nombra(fecha, "fechaPendiente")
    assert_422_nombra(detalle, "detalle.lugarDestino")


async def test_un_filtro_invalido_en_snake_lo_nombra_en_camel(http, h):
    r = await http.get("/api/pendientes?fecha_desde=ayer", headers=h["coordinadora"])
    assert_422_nombra(r, "fechaDesde")


async def test_el_resultado_de_un_cambio_se_fecha_en_la_zona_de_la_api(http, h, crear):
    pendiente_id = await crear("REGISTRADO")
    clave = f"zona-{uuid.uuid4()}"
    antes = datetime.now(LIMA)
    aplicado = await http.post(
        url(pendiente_id, "/acciones/cancelar"),
        json={"motivo": "el cliente desistió"},
        headers={"Idempotency-Key": clave} | h["coordinadora"],
    )
    assert aplicado.status_code == 200, aplicado.text

    r = await http.get(url(pendiente_id, f"/cambios/{clave}"), headers=h["coordinadora"])

    assert r.status_code == 200, r.text
    fecha = datetime.fromisoformat(r.json()["data"]["fecha"])
    # Lima is UTC-5 all year (no daylight saving since 1994).
    assert fecha.utcoffset() == timedelta(hours=-5), r.json()
    assert antes - timedelta(minutes=1) <= fecha <= datetime.now(LIMA) + timedelta(minutes=1)
    # The same zone as the pendiente the action answered with.
    creado = datetime.fromisoformat(aplicado.json()["data"]["fechaCreacion"])
    assert creado.utcoffset() == fecha.utcoffset()
