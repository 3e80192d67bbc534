"""Both tables of product-decisions.md through HTTP: every allowed row moves the pendiente and writes
one historial row with the authenticated actor; every forbidden pair answers 409 and writes nothing.
The tables are typed here from the product decisions, independently of domain/."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db import models as m
from tests.api.pendientes.acciones.conftest import datos_para
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

# Network sub-state (product-decisions.md "Network sub-state"), every (from, action) pair of its 4
# values x 4 actions. Allowed, 12: the table's 7 lines expand to 8 (the "pedir the other" line is two),
# "configuring while nothing is pending" adds OK->configurar_pppoe and OK->configurar_vlan, and the
# README's "configuring what is not pending records the value and leaves the sub-state as it is" adds
# PENDIENTE_VLAN->configurar_pppoe and PENDIENTE_PPPoE->configurar_vlan.
# Forbidden, the other 4: asking again for what is already pending.
RED = [
    ("OK", "pedir_pppoe", "PENDIENTE_PPPoE"),
    ("OK", "pedir_vlan", "PENDIENTE_VLAN"),
    ("PENDIENTE_PPPoE", "pedir_vlan", "PENDIENTE_PPPoE_Y_VLAN"),
    ("PENDIENTE_VLAN", "pedir_pppoe", "PENDIENTE_PPPoE_Y_VLAN"),
    ("PENDIENTE_PPPoE", "configurar_pppoe", "OK"),
    ("PENDIENTE_VLAN", "configurar_vlan", "OK"),
    ("PENDIENTE_PPPoE_Y_VLAN", "configurar_pppoe", "PENDIENTE_VLAN"),
    ("PENDIENTE_PPPoE_Y_VLAN", "configurar_vlan", "PENDIENTE_PPPoE"),
    ("OK", "configurar_pppoe", "OK"),
    ("OK", "configurar_vlan", "OK"),
    ("PENDIENTE_VLAN", "configurar_pppoe", "PENDIENTE_VLAN"),
    ("PENDIENTE_PPPoE", "configurar_vlan", "PENDIENTE_PPPoE"),
]
RED_PROHIBIDAS = [
    ("PENDIENTE_PPPoE", "pedir_pppoe"),
    ("PENDIENTE_VLAN", "pedir_vlan"),
    ("PENDIENTE_PPPoE_Y_VLAN", "pedir_pppoe"),
    ("PENDIENTE_PPPoE_Y_VLAN", "pedir_vlan"),
]
# How the assigned technician brings an EN_PROGRESO pendiente to each estadoTecnico.
CAMINO_RED = {
    "OK": [],
    "PENDIENTE_PPPoE": ["pedir_pppoe"],
    "PENDIENTE_VLAN": ["pedir_vlan"],
    "PENDIENTE_PPPoE_Y_VLAN": ["pedir_pppoe", "pedir_vlan"],
}
# What the assigned technician may still do on an EN_PROGRESO pendiente refused a network request
# (state table: reasignar own, pausar, terminar, solicitar_revision; plus asking what is not pending).
PERMITIDAS_AL_TECNICO = {
    "PENDIENTE_PPPoE": {"reasignar", "pausar", "terminar", "solicitar_revision", "pedir_vlan"},
    "PENDIENTE_VLAN": {"reasignar", "pausar", "terminar", "solicitar_revision", "pedir_pppoe"},
    "PENDIENTE_PPPoE_Y_VLAN": {"reasignar", "pausar", "terminar", "solicitar_revision"},
}
_PARES_RED = {(d, a) for d, a, _ in RED} | set(RED_PROHIBIDAS)
assert len(RED) == 12 and len(_PARES_RED) == 16, "the network tables must cover all 4 x 4 pairs once"


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
    assert cuerpo["data"]["estado"] == estado and cuerpo["data"]["estadoTecnico"] == "OK"
    assert accion not in cuerpo["data"].get("accionesPermitidas", [])
    assert len(await historial(pendiente_id)) == len(antes)
    async with sessions() as s:
        assert await s.scalar(select(m.Pendiente.estado).where(m.Pendiente.id == pendiente_id)) == estado


async def _en_progreso_con_red(http, tokens, crear, tecnico_id: int, estado_tecnico: str) -> int:
    pendiente_id = await crear("EN_PROGRESO")
    for previa in CAMINO_RED[estado_tecnico]:
        r = await _accion(http, tokens, pendiente_id, previa, tecnico_id)
        assert r.status_code == 200, r.text
    visto = await http.get(f"/api/pendientes/{pendiente_id}", headers=auth(tokens["tecnico"]))
    assert visto.json()["data"]["estadoTecnico"] == estado_tecnico
    return pendiente_id


@pytest.mark.parametrize(("desde", "accion", "resultado"), RED, ids=lambda v: str(v))
async def test_cada_fila_de_red(http, tokens, crear, historial, personas, desde, accion, resultado):
    tecnico = personas.tecnicos[0]
    pendiente_id = await _en_progreso_con_red(http, tokens, crear, tecnico.empleado_id, desde)
    antes = await historial(pendiente_id)

    r = await _accion(http, tokens, pendiente_id, accion, tecnico.empleado_id)

    assert r.status_code == 200, r.text
    assert (r.json()["data"]["estado"], r.json()["data"]["estadoTecnico"]) == ("EN_PROGRESO", resultado)
    nuevas = (await historial(pendiente_id))[len(antes) :]
    actor = tecnico if ROL[accion] == T else personas.actores[ROL[accion]]
    assert [(f.accion, f.estado, f.estado_tecnico, f.empleado_id) for f in nuevas] == [
        (accion, "EN_PROGRESO", resultado, actor.empleado_id)
    ]
    if accion.startswith("configurar"):  # the configured value is recorded whatever was pending
        detalle = (
            await http.get(f"/api/pendientes/{pendiente_id}/averia", headers=auth(tokens["red"]))
        ).json()
        esperado = {"vlan": 100} if accion == "configurar_vlan" else {"ppoe": "cliente@simax"}
        assert {c: detalle["data"][c] for c in esperado} == esperado


@pytest.mark.parametrize(("desde", "accion"), RED_PROHIBIDAS, ids=lambda v: str(v))
async def test_pedir_lo_ya_pedido_da_409(http, tokens, crear, historial, sessions, personas, desde, accion):
    tecnico = personas.tecnicos[0]
    pendiente_id = await _en_progreso_con_red(http, tokens, crear, tecnico.empleado_id, desde)
    visto = (await http.get(f"/api/pendientes/{pendiente_id}", headers=auth(tokens["tecnico"]))).json()
    antes = len(await historial(pendiente_id))

    r = await _accion(http, tokens, pendiente_id, accion, tecnico.empleado_id)

    assert r.status_code == 409, r.text
    cuerpo = r.json()
    assert (cuerpo["success"], cuerpo["code"]) == (False, 409)
    data = cuerpo["data"]
    assert (data["estado"], data["estadoTecnico"], data["version"]) == (
        "EN_PROGRESO",
        desde,
        visto["data"]["version"],
    )
    assert set(data["accionesPermitidas"]) == PERMITIDAS_AL_TECNICO[desde]
    assert len(await historial(pendiente_id)) == antes
    async with sessions() as s:
        fila = await s.get(m.Pendiente, pendiente_id)
        assert (fila.estado, fila.estado_tecnico, fila.seq) == (
            "EN_PROGRESO",
            desde,
            visto["data"]["version"],
        )


@pytest.mark.parametrize("tipo", ["INSTALACION_CAMARAS", "RECOJO_DISPOSITIVOS"])
@pytest.mark.parametrize("accion", ["pedir_pppoe", "configurar_vlan"])
async def test_tipos_sin_red_rechazan_acciones_de_red(http, tokens, crear, personas, tipo, accion):
    pendiente_id = await crear("EN_PROGRESO", tipo=tipo)
    r = await _accion(http, tokens, pendiente_id, accion, personas.tecnicos[0].empleado_id)
    assert r.status_code == 409
    assert tipo in r.json()["message"]
