"""Red: the network queue (estadoTecnico not OK), oldest first, with the PPPoE and VLAN forms the rule
allows; the PPPoE password is never on a page, nor its ciphertext."""

from __future__ import annotations

import uuid
from datetime import datetime

import httpx
import pytest
from sqlalchemy import select

from db import models as m
from tests.api.tablero.colas import (
    LIMA,
    accion,
    acciones_de,
    crear_pendiente,
    formulario,
    ids_en,
    ingresar_como,
    leer,
    tarjeta,
    tecnico_nuevo,
)

RUTA = "/tablero/red"
RED = {"configurar_pppoe", "configurar_vlan"}


@pytest.fixture
async def tecnico(http, h):
    return await tecnico_nuevo(http, h)


async def esperando_red(http, h, tecnico, marca: str, *pedidos: str) -> int:
    """An AVERIA assigned to `tecnico`, who asks the network team for `pedidos` (pedir_pppoe...)."""
    pendiente_id = await crear_pendiente(http, h, datetime.now(LIMA))
    await accion(http, h["coordinadora"], pendiente_id, "asignar", tecnicoId=tecnico["empleadoId"])
    # A mark of this test in the address, for the page's search.
    r = await http.put(
        f"/api/pendientes/{pendiente_id}", json={"direccion": f"Av. {marca}"}, headers=h["coordinadora"]
    )
    assert r.status_code == 200, r.text
    for pedido in pedidos:
        await accion(http, tecnico["h"], pendiente_id, pedido)
    return pendiente_id


async def test_la_cola_muestra_lo_que_espera_a_red_del_mas_antiguo_al_mas_nuevo(
    navegante, ingresar, http, h, tecnico
):
    marca = uuid.uuid4().hex[:10]
    primero = await esperando_red(http, h, tecnico, marca, "pedir_vlan")
    segundo = await esperando_red(http, h, tecnico, marca, "pedir_pppoe")
    sin_pedido = await esperando_red(http, h, tecnico, marca)
    await ingresar("red")
    r = await navegante.get(RUTA, params={"texto": marca})
    assert r.status_code == 200
    assert ids_en(r.text) == [primero, segundo]
    assert sin_pedido not in ids_en(r.text)
    # Each with the network forms the rule (GET /{id}/acciones) offers the team, what it waits for among them.
    for pendiente_id, esperado in ((primero, "configurar_vlan"), (segundo, "configurar_pppoe")):
        api = await http.get(f"/api/pendientes/{pendiente_id}/acciones", headers=h["red"])
        permitidas = set(api.json()["data"]["acciones"]) & RED
        assert acciones_de(tarjeta(r.text, pendiente_id), pendiente_id) == permitidas
        assert esperado in permitidas
    card = tarjeta(r.text, segundo)
    assert 'name="pppoeUsuario"' in card and 'type="password" name="pppoePassword"' in card
    assert f'href="/tablero/pendientes/{segundo}"' in card
    # The forms come back to this search.
    assert formulario(r.text, segundo, "configurar_pppoe")["volver"] == f"{RUTA}?texto={marca}"


async def test_configurar_vlan_y_pppoe_desde_la_pagina_sin_mostrar_jamas_la_clave(
    navegante, ingresar, http, h, tecnico, sessions, app
):
    marca = uuid.uuid4().hex[:10]
    clave = f"clave-pppoe-{uuid.uuid4().hex[:8]}"
    pendiente_id = await esperando_red(http, h, tecnico, marca, "pedir_pppoe", "pedir_vlan")
    assert (await leer(http, h, pendiente_id))["estadoTecnico"] == "PENDIENTE_PPPoE_Y_VLAN"
    await ingresar("red")
    pagina = await navegante.get(RUTA, params={"texto": marca})
    assert acciones_de(pagina.text, pendiente_id) == RED

    datos = formulario(pagina.text, pendiente_id, "configurar_pppoe")
    datos |= {"pppoeUsuario": f"cli-{marca}@simax", "pppoePassword": clave}
    r = await navegante.post(f"/tablero/pendientes/{pendiente_id}/acciones/configurar_pppoe", data=datos)
    assert r.status_code == 303 and r.headers["location"] == f"{RUTA}?texto={marca}&hecho=configurar_pppoe"
    assert (await leer(http, h, pendiente_id))["estadoTecnico"] == "PENDIENTE_VLAN"

    # Still in the queue (for its VLAN): the PPPoE user shows, the password does not, nor its ciphertext.
    pagina = await navegante.get(r.headers["location"])
    assert f"cli-{marca}@simax" in tarjeta(pagina.text, pendiente_id)
    assert "configurar_vlan" in acciones_de(pagina.text, pendiente_id)
    async with sessions() as s:
        cifrada = await s.scalar(
            select(m.PendienteAveria.pppoe_password_cifrado).where(
                m.PendienteAveria.pendiente_id == pendiente_id
            )
        )
    assert cifrada
    paginas = [pagina.text]
    # Nor on the technician's own screen (who may read it through the API).
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://pendientes.test"
    ) as t:
        await ingresar_como(t, tecnico["dni"])
        paginas.append((await t.get("/tablero/mis-pendientes")).text)
    # Nor on a refusal page: the same form again, now not allowed.
    r = await navegante.post(f"/tablero/pendientes/{pendiente_id}/acciones/configurar_pppoe", data=datos)
    assert r.status_code in (403, 409)
    paginas.append(r.text)

    datos = formulario(pagina.text, pendiente_id, "configurar_vlan") | {"vlan": "321"}
    r = await navegante.post(f"/tablero/pendientes/{pendiente_id}/acciones/configurar_vlan", data=datos)
    assert r.status_code == 303
    assert (await leer(http, h, pendiente_id))["estadoTecnico"] == "OK"
    pagina = await navegante.get(r.headers["location"])
    assert pendiente_id not in ids_en(pagina.text)
    paginas.append(pagina.text)
    for texto in paginas:
        assert clave not in texto and cifrada not in texto


@pytest.mark.parametrize("rol", ["tecnico", "coordinadora", "asesor", "contabilidad"])
async def test_sin_configurar_pppoe_ni_vlan_la_pantalla_se_niega(navegante, ingresar, rol):
    await ingresar(rol)
    r = await navegante.get(RUTA)
    assert r.status_code == 403
    assert "CONFIGURAR_PPPOE" in r.text and "CONFIGURAR_VLAN" in r.text


async def test_una_busqueda_invalida_se_ignora_y_se_dice(navegante, ingresar):
    await ingresar("red")
    r = await navegante.get(RUTA, params={"lugar": "MARTE"})
    assert r.status_code == 200 and "no es válida" in r.text
