"""The board's action forms: the API's rules, keys and refusals, answered as pages a person reads."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db import models as m
from tests.api.tablero.conftest import csrf_de


@pytest.fixture
async def pendiente(http, h, sessions):
    async with sessions() as s:
        cliente = await s.scalar(select(m.Cliente.id).order_by(m.Cliente.id).limit(1))
    cuerpo = {"clienteId": cliente, "tipo": "RECOJO_DISPOSITIVOS", "lugar": "PUNO", "prioridad": "MEDIA"}
    cuerpo["detalle"] = {"dispositivo": "ROUTER"}
    r = await http.post("/api/pendientes", json=cuerpo, headers=h["coordinadora"])
    assert r.status_code == 201, r.text
    return r.json()["data"]


async def _formulario(navegante, pendiente_id: int, accion: str, **campos):
    pagina = await navegante.get("/tablero")
    datos = {"csrf": csrf_de(pagina.text), "volver": "/tablero"} | campos
    return await navegante.post(f"/tablero/pendientes/{pendiente_id}/acciones/{accion}", data=datos)


async def test_asignar_desde_el_tablero_aplica_y_vuelve_con_aviso(
    navegante, ingresar, pendiente, http, h, personas
):
    await ingresar("coordinadora")
    tecnico = personas.tecnicos[0].empleado_id
    r = await _formulario(navegante, pendiente["id"], "asignar", tecnicoId=str(tecnico))
    assert r.status_code == 303 and r.headers["location"] == "/tablero?hecho=asignar"
    leido = (await http.get(f"/api/pendientes/{pendiente['id']}", headers=h["coordinadora"])).json()["data"]
    assert (leido["estado"], leido["idEmpleadoAsignado"]) == ("ASIGNADO", tecnico)


async def test_una_accion_no_permitida_dice_por_que_y_que_se_puede(navegante, ingresar, pendiente):
    await ingresar("coordinadora")
    r = await _formulario(navegante, pendiente["id"], "finalizar")
    assert r.status_code in (403, 409)
    assert "No se pudo «finalizar»" in r.text
    r = await _formulario(navegante, pendiente["id"], "asignar", tecnicoId="999999")
    assert r.status_code == 422 and "No se pudo «asignar»" in r.text


async def test_un_dato_invalido_nombra_el_campo(navegante, ingresar, pendiente):
    await ingresar("coordinadora")
    r = await _formulario(navegante, pendiente["id"], "configurar_vlan", vlan="9999")
    assert r.status_code == 422 and "vlan" in r.text


async def test_sin_token_csrf_no_se_aplica(navegante, ingresar, pendiente, http, h, personas):
    await ingresar("coordinadora")
    datos = {"tecnicoId": str(personas.tecnicos[0].empleado_id)}
    r = await navegante.post(f"/tablero/pendientes/{pendiente['id']}/acciones/asignar", data=datos)
    assert r.status_code == 403
    leido = (await http.get(f"/api/pendientes/{pendiente['id']}", headers=h["coordinadora"])).json()["data"]
    assert leido["estado"] == "REGISTRADO"
