"""Both tables of product-decisions.md through HTTP: every allowed row moves the pendiente and writes
one historial row with the authenticated actor; every forbidden pair answers 409 and writes nothing.
The tables are typed here from the product decisions, independently of domain/."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pendientes.db import models as m
from tests.acciones.conftest import datos_para
from tests.conftest import auth

T = "tecnico"  # the assigned technician (first demo technician)
ROL = {
    "asignar": "coordinadora",
    "reasignar": "coordinadora",
    "comenzar": T,
    "pausar": T,
    "continuar": T,
    "terminar": T,
    "solicitar_revision": T,
    "validar": "asesor",
    "observar": "asesor",
    "retomar": T,
    "finalizar": "asesor",
    "cancelar": "coordinadora",
    "postergar": "coordinadora",
    "pedir_pppoe": T,
    "pedir_vlan": T,
    "configurar_pppoe": "red",
    "configurar_vlan": "red",
}

PERMITIDAS = [
    ("REGISTRADO", "asignar", "ASIGNADO"),
    ("POSTERGADO", "asignar", "ASIGNADO"),
    ("ASIGNADO", "asignar", "ASIGNADO"),
    ("ASIGNADO", "reasignar", "REGISTRADO"),
    ("EN_PROGRESO", "reasignar", "REGISTRADO"),
    ("PAUSADO", "reasignar", "REGISTRADO"),
    ("ASIGNADO", "comenzar", "EN_PROGRESO"),
    ("EN_PROGRESO", "pausar", "PAUSADO"),
    ("PAUSADO", "continuar", "EN_PROGRESO"),
    ("EN_PROGRESO", "terminar", "POR_VALIDAR"),
    ("PAUSADO", "terminar", "POR_VALIDAR"),
    ("EN_PROGRESO", "solicitar_revision", "REVISION"),
    ("PAUSADO", "solicitar_revision", "REVISION"),
    ("REVISION", "validar", "POR_VALIDAR"),
    ("OBSERVADO", "validar", "POR_VALIDAR"),
    ("POR_VALIDAR", "observar", "OBSERVADO"),
    ("REVISION", "observar", "OBSERVADO"),
    ("OBSERVADO", "retomar", "EN_PROGRESO"),
    ("POR_VALIDAR", "finalizar", "FINALIZADO"),
    *[
        (e, "cancelar", "CANCELADO")
        for e in ("REGISTRADO", "ASIGNADO", "EN_PROGRESO", "PAUSADO", "POSTERGADO", "OBSERVADO")
    ],
    *[
        (e, "postergar", "POSTERGADO")
        for e in ("REGISTRADO", "ASIGNADO", "PAUSADO", "POSTERGADO", "CANCELADO")
    ],
]
ESTADOS = [
    "REGISTRADO",
    "ASIGNADO",
    "EN_PROGRESO",
    "PAUSADO",
    "REVISION",
    "POR_VALIDAR",
    "OBSERVADO",
    "FINALIZADO",
    "POSTERGADO",
    "CANCELADO",
]
ACCIONES_ESTADO = list(ROL)[:13]
PROHIBIDAS = [
    (e, a) for e in ESTADOS for a in ACCIONES_ESTADO if (e, a) not in {(d, x) for d, x, _ in PERMITIDAS}
]

# (estadoTecnico reached by these requests, action, resulting estadoTecnico)
RED = [
    ([], "pedir_pppoe", "PENDIENTE_PPPoE"),
    ([], "pedir_vlan", "PENDIENTE_VLAN"),
    (["pedir_pppoe"], "pedir_vlan", "PENDIENTE_PPPoE_Y_VLAN"),
    (["pedir_vlan"], "pedir_pppoe", "PENDIENTE_PPPoE_Y_VLAN"),
    (["pedir_pppoe"], "configurar_pppoe", "OK"),
    (["pedir_vlan"], "configurar_vlan", "OK"),
    (["pedir_pppoe", "pedir_vlan"], "configurar_pppoe", "PENDIENTE_VLAN"),
    (["pedir_pppoe", "pedir_vlan"], "configurar_vlan", "PENDIENTE_PPPoE"),
    ([], "configurar_pppoe", "OK"),
    ([], "configurar_vlan", "OK"),
]
RED_PROHIBIDAS = [(["pedir_pppoe"], "pedir_pppoe"), (["pedir_vlan"], "pedir_vlan")]


async def _accion(http, tokens, pendiente_id: int, accion: str, tecnico_id: int, rol: str | None = None):
    token = tokens[rol or ROL[accion]]
    return await http.post(
        f"/api/pendientes/{pendiente_id}/acciones/{accion}",
        json=datos_para(accion, tecnico_id),
        headers=auth(token),
    )


@pytest.mark.parametrize(("desde", "accion", "hacia"), PERMITIDAS, ids=lambda v: str(v))
async def test_cada_fila_permitida(http, tokens, crear, historial, personas, desde, accion, hacia):
    tecnico = personas.tecnicos[0]
    pendiente_id = await crear(desde)
    antes = await historial(pendiente_id)

    r = await _accion(http, tokens, pendiente_id, accion, tecnico.empleado_id)

    assert r.status_code == 200, r.text
    assert r.json()["data"]["estado"] == hacia
    nuevas = (await historial(pendiente_id))[len(antes) :]
    assert [(h.accion, h.estado_anterior, h.estado) for h in nuevas] == [(accion, desde, hacia)]
    actor = tecnico if ROL[accion] == T else personas.actores[ROL[accion]]
    assert nuevas[0].empleado_id == actor.empleado_id


@pytest.fixture(scope="module")
async def uno_por_estado(crear) -> dict[str, int]:
    return {estado: await crear(estado) for estado in ESTADOS}


@pytest.mark.parametrize(("estado", "accion"), PROHIBIDAS, ids=lambda v: str(v))
async def test_cada_par_prohibido_da_409_y_no_escribe(
    http, tokens, uno_por_estado, historial, sessions, personas, estado, accion
):
    pendiente_id = uno_por_estado[estado]
    antes = await historial(pendiente_id)

    r = await _accion(http, tokens, pendiente_id, accion, personas.tecnicos[0].empleado_id, "administrador")

    assert r.status_code == 409, r.text
    cuerpo = r.json()
    assert cuerpo["code"] == 409 and cuerpo["success"] is False
    assert cuerpo["data"]["estado"] == estado
    assert accion not in cuerpo["data"].get("accionesPermitidas", [])
    assert len(await historial(pendiente_id)) == len(antes)
    async with sessions() as s:
        assert await s.scalar(select(m.Pendiente.estado).where(m.Pendiente.id == pendiente_id)) == estado


@pytest.mark.parametrize(("previas", "accion", "resultado"), RED, ids=lambda v: str(v))
async def test_cada_fila_de_red(http, tokens, crear, historial, personas, previas, accion, resultado):
    tecnico = personas.tecnicos[0]
    pendiente_id = await crear("EN_PROGRESO")
    for previa in previas:
        assert (await _accion(http, tokens, pendiente_id, previa, tecnico.empleado_id)).status_code == 200

    r = await _accion(http, tokens, pendiente_id, accion, tecnico.empleado_id)

    assert r.status_code == 200, r.text
    assert r.json()["data"]["estadoTecnico"] == resultado
    assert r.json()["data"]["estado"] == "EN_PROGRESO"
    assert (await historial(pendiente_id))[-1].estado_tecnico == resultado


@pytest.mark.parametrize(("previas", "accion"), RED_PROHIBIDAS, ids=lambda v: str(v))
async def test_pedir_lo_ya_pedido_da_409(http, tokens, crear, historial, personas, previas, accion):
    tecnico = personas.tecnicos[0]
    pendiente_id = await crear("EN_PROGRESO")
    for previa in previas:
        await _accion(http, tokens, pendiente_id, previa, tecnico.empleado_id)
    antes = len(await historial(pendiente_id))

    r = await _accion(http, tokens, pendiente_id, accion, tecnico.empleado_id)

    assert r.status_code == 409
    assert len(await historial(pendiente_id)) == antes


@pytest.mark.parametrize("tipo", ["INSTALACION_CAMARAS", "RECOJO_DISPOSITIVOS"])
@pytest.mark.parametrize("accion", ["pedir_pppoe", "configurar_vlan"])
async def test_tipos_sin_red_rechazan_acciones_de_red(http, tokens, crear, personas, tipo, accion):
    pendiente_id = await crear("EN_PROGRESO", tipo=tipo)
    r = await _accion(http, tokens, pendiente_id, accion, personas.tecnicos[0].empleado_id)
    assert r.status_code == 409
    assert tipo in r.json()["message"]
