"""Notifications: created by the worker on events, read only by their recipient, pushed live."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from db import models as m
from tests.api.seguimiento.conftest import ESPERA
from tests.conftest import auth

LIMA = ZoneInfo("America/Lima")
DEMO = [
    "administrador",
    "coordinadora",
    "asesor",
    "atencion-cliente",
    "contabilidad",
    "tecnico",
    "tecnico2",
    "red",
]


async def _mias(http, token: str, **filtros) -> list[dict]:
    yo = (await http.get("/api/usuarios/usuario", headers=auth(token))).json()["data"]["id"]
    r = await http.get(
        f"/api/notificaciones/usuario/{yo}", params={"size": 100} | filtros, headers=auth(token)
    )
    assert r.status_code == 200, r.text
    return r.json()["data"]["content"]


async def _empleado_de(sessions, dni: str) -> int:
    async with sessions() as s:
        return await s.scalar(select(m.Usuario.empleado_id).where(m.Usuario.dni == dni))


async def _avisos_por_rol(http, tokens, pendiente_id: int) -> dict[str, list[tuple[str, str]]]:
    """(titulo, tipo) of each demo user's notifications about one pendiente, oldest first."""
    avisos = {}
    for rol in DEMO:
        suyas = [n for n in await _mias(http, tokens[rol]) if n["pendienteId"] == pendiente_id]
        avisos[rol] = [(n["titulo"], n["tipo"]) for n in reversed(suyas)]
    return avisos


async def test_asignar_avisa_al_tecnico_y_no_a_otros(http, tokens, crear, sessions):
    pendiente_id = await crear("REGISTRADO")
    segundo = await _empleado_de(sessions, "10000007")
    r = await http.put(
        f"/api/pendientes/{pendiente_id}/asignar?idAsignado={segundo}", headers=auth(tokens["coordinadora"])
    )
    assert r.status_code == 200, r.text

    suyas = [n for n in await _mias(http, tokens["tecnico2"]) if n["pendienteId"] == pendiente_id]
    assert [(n["titulo"], n["estado"], n["tipo"]) for n in suyas] == [
        ("Nuevo pendiente asignado", "NO_LEIDO", "INFO")
    ]
    avisos = await _avisos_por_rol(http, tokens, pendiente_id)
    assert {rol for rol, lista in avisos.items() if lista} == {"tecnico2"}


@pytest.mark.parametrize(
    ("extra", "rol", "titulo"),
    [
        ([("pedir_pppoe", "t")], "red", "Pendiente requiere PPPoE"),
        ([("terminar", "t")], "asesor", "Pendiente por validar"),
        ([("terminar", "t"), ("observar", "asesor")], "tecnico", "Pendiente observado"),
    ],
)
async def test_cada_evento_avisa_a_quien_corresponde(http, tokens, crear, extra, rol, titulo):
    pendiente_id = await crear("EN_PROGRESO", extra=extra)
    titulos = [n["titulo"] for n in await _mias(http, tokens[rol]) if n["pendienteId"] == pendiente_id]
    assert titulo in titulos


async def test_cada_usuario_ve_solo_las_suyas(http, tokens):
    admin_id = (await http.get("/api/usuarios/usuario", headers=auth(tokens["administrador"]))).json()[
        "data"
    ]["id"]
    r = await http.get(f"/api/notificaciones/usuario/{admin_id}", headers=auth(tokens["tecnico"]))
    assert r.status_code == 403
    assert (await http.get("/api/notificaciones", headers=auth(tokens["tecnico"]))).status_code == 403


async def test_marcar_una_y_todas_como_leidas(http, tokens, crear):
    for _ in range(2):
        pendiente_id = await crear("REGISTRADO")
        await http.put(
            f"/api/pendientes/{pendiente_id}/asignar?idAsignado=6", headers=auth(tokens["coordinadora"])
        )
    no_leidas = await _mias(http, tokens["tecnico"], leida="NO_LEIDO")
    assert len(no_leidas) >= 2

    r = await http.patch(f"/api/notificaciones/{no_leidas[0]['id']}/leido", headers=auth(tokens["tecnico"]))
    assert r.status_code == 200 and r.json()["data"]["estado"] == "LEIDO"
    ajena = await http.patch(
        f"/api/notificaciones/{no_leidas[1]['id']}/leido", headers=auth(tokens["tecnico2"])
    )
    assert ajena.status_code == 404

    r = await http.put("/api/notificaciones/leidas", headers=auth(tokens["tecnico"]))
    assert r.status_code == 200 and r.json()["data"]["marcadas"] >= 1
    assert await _mias(http, tokens["tecnico"], leida="NO_LEIDO") == []


async def test_el_destinatario_solo_cambia_el_estado(http, tokens, crear):
    pendiente_id = await crear("REGISTRADO")
    await http.put(
        f"/api/pendientes/{pendiente_id}/asignar?idAsignado=6", headers=auth(tokens["coordinadora"])
    )
    nota = next(n for n in await _mias(http, tokens["tecnico"]) if n["pendienteId"] == pendiente_id)
    r = await http.put(
        f"/api/notificaciones/{nota['id']}", json={"titulo": "otro"}, headers=auth(tokens["tecnico"])
    )
    assert r.status_code == 403
    r = await http.put(
        f"/api/notificaciones/{nota['id']}", json={"estado": "LEIDO"}, headers=auth(tokens["tecnico"])
    )
    assert r.status_code == 200 and r.json()["data"]["titulo"] == "Nuevo pendiente asignado"


async def test_aviso_manual_nace_no_leido_y_solo_lo_crea_un_admin(http, tokens):
    yo = (await http.get("/api/usuarios/usuario", headers=auth(tokens["red"]))).json()["data"]["id"]
    cuerpo = {"titulo": "Mantenimiento", "mensaje": "Corte programado", "tipo": "WARNING", "usuarioId": yo}
    r = await http.post("/api/notificaciones", json=cuerpo, headers=auth(tokens["administrador"]))
    assert r.status_code == 201 and r.json()["data"]["estado"] == "NO_LEIDO"
    assert (
        await http.post("/api/notificaciones", json=cuerpo, headers=auth(tokens["coordinadora"]))
    ).status_code == 403
    sin_titulo = await http.post(
        "/api/notificaciones", json={"usuarioId": yo}, headers=auth(tokens["administrador"])
    )
    assert sin_titulo.status_code == 422 and sin_titulo.json()["data"]["campo"] == "titulo"


async def _recibir(ws, quien: str) -> dict:
    try:
        return json.loads(await asyncio.wait_for(ws.recv(), ESPERA))
    except TimeoutError:
        raise AssertionError(f"{quien}: no notification pushed within {ESPERA} s") from None


async def _recibir_de(ws, quien: str, pendiente_id: int) -> dict:
    """The first push about `pendiente_id`, skipping pushes about other tests' pendientes (a dispatcher
    is told whenever any of them goes overdue)."""
    async with asyncio.timeout(ESPERA):
        while (mensaje := await _recibir(ws, quien))["pendienteId"] != pendiente_id:
            pass
    return mensaje


async def test_el_tecnico_recibe_en_vivo_lo_que_hace_la_coordinadora(servidor, http, tokens, crear, sessions):
    pendiente_id, del_otro = await crear("REGISTRADO"), await crear("REGISTRADO")
    primero, segundo = await _empleado_de(sessions, "10000006"), await _empleado_de(sessions, "10000007")
    coordinadora = auth(tokens["coordinadora"])
    async with (
        connect(f"{servidor}?token={tokens['tecnico']}") as tecnico,
        connect(f"{servidor}?token={tokens['tecnico2']}") as otro,
    ):
        r = await http.put(
            f"/api/pendientes/{pendiente_id}/asignar?idAsignado={primero}", headers=coordinadora
        )
        assert r.status_code == 200

        mensaje = await _recibir(tecnico, "the assigned technician")
        assert (mensaje["pendienteId"], mensaje["titulo"]) == (pendiente_id, "Nuevo pendiente asignado")

        # The other technician was told nothing: the first push they get is about their own assignment,
        # made after the first one was delivered.
        r = await http.put(f"/api/pendientes/{del_otro}/asignar?idAsignado={segundo}", headers=coordinadora)
        assert r.status_code == 200
        mensaje = await _recibir(otro, "the second technician")
        assert (mensaje["pendienteId"], mensaje["titulo"]) == (del_otro, "Nuevo pendiente asignado")


async def test_sin_token_valido_el_socket_se_rechaza_con_403(servidor):
    """The server closes before accepting; uvicorn answers such a handshake with HTTP 403."""
    for token in ("falso", ""):
        with pytest.raises(InvalidStatus) as error:
            async with connect(f"{servidor}?token={token}", open_timeout=ESPERA):
                pass
        assert error.value.response.status_code == 403


# --- Who is told about each event, end to end (README, Notifications) -------------------------------


async def test_un_pendiente_vencido_avisa_a_despacho(servidor, http, tokens, sessions):
    """Registered for yesterday (Lima), it goes overdue at once; the system is the actor, so every
    holder of ASIGNAR_TECNICO is told: among the demo users, the administrador and the coordinadora."""
    async with sessions() as s:
        cliente = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000002"))
    ayer = datetime.combine(datetime.now(LIMA).date() - timedelta(days=1), time(9), LIMA)
    alta = {
        "clienteId": cliente,
        "tipo": "INSTALACION_CAMARAS",
        "lugar": "JULI",
        "prioridad": "MEDIA",
        "fechaPendiente": ayer.isoformat(),
    }
    async with connect(f"{servidor}?token={tokens['coordinadora']}") as coordinadora:
        r = await http.post("/api/pendientes", json=alta, headers=auth(tokens["coordinadora"]))
        assert r.status_code == 201, r.text
        pendiente_id = r.json()["data"]["id"]
        mensaje = await _recibir_de(coordinadora, "the coordinadora", pendiente_id)

    assert (mensaje["titulo"], mensaje["tipo"]) == ("Pendiente vencido", "WARNING")
    assert mensaje["mensaje"] == f"El pendiente {pendiente_id} (JULI) pasó su día sin cerrarse."
    avisos = await _avisos_por_rol(http, tokens, pendiente_id)
    vencido = ("Pendiente vencido", "WARNING")
    assert {rol: lista for rol, lista in avisos.items() if lista} == {
        "administrador": [vencido],
        "coordinadora": [vencido],
    }


async def test_postergar_avisa_al_tecnico_asignado(http, tokens, crear):
    pendiente_id = await crear("ASIGNADO")  # assigned to the first demo technician by the coordinadora
    manana = (datetime.now(LIMA) + timedelta(days=1)).isoformat()
    cuerpo = {"nuevaFecha": manana, "motivo": "el cliente viaja"}

    r = await http.put(
        f"/api/pendientes/{pendiente_id}/postergar", json=cuerpo, headers=auth(tokens["coordinadora"])
    )

    assert r.status_code == 200, r.text
    avisos = await _avisos_por_rol(http, tokens, pendiente_id)
    assert {rol: lista for rol, lista in avisos.items() if lista} == {
        "tecnico": [("Nuevo pendiente asignado", "INFO"), ("Tu pendiente fue postergado", "WARNING")]
    }
    ultima = (await _mias(http, tokens["tecnico"]))[0]
    assert ultima["pendienteId"] == pendiente_id
    assert (
        ultima["mensaje"].startswith(f"El pendiente {pendiente_id} se postergó")
        and "el cliente viaja" in ultima["mensaje"]
    )


async def test_configurar_pppoe_avisa_al_tecnico(http, tokens, crear):
    pendiente_id = await crear("EN_PROGRESO", extra=[("pedir_pppoe", "t")])
    cuerpo = {"pppoeUser": "cliente@simax", "pppoePassword": "clave-pppoe-de-prueba"}

    r = await http.put(
        f"/api/pendientes/{pendiente_id}/averia/pppoe", json=cuerpo, headers=auth(tokens["red"])
    )

    assert r.status_code == 200, r.text
    avisos = await _avisos_por_rol(http, tokens, pendiente_id)
    assert avisos["tecnico"] == [("Nuevo pendiente asignado", "INFO"), ("PPPoE configurado", "INFO")]
    # The network team was told of the request, and not of its own configuration.
    assert avisos["red"] == [("Pendiente requiere PPPoE", "WARNING")]


async def test_quien_actua_no_recibe_aviso_de_su_propio_acto(http, tokens, crear):
    """The administrador holds CONFIGURAR_PPPOE and FINALIZAR_PENDIENTE, the permissions that receive the
    PPPoE request and the work to validate; when the administrador is the one asking or finishing, the
    others holding them are told and the administrador is not."""
    pendiente_id = await crear("EN_PROGRESO")
    admin = auth(tokens["administrador"])
    for accion in ("pedir_pppoe", "terminar"):
        r = await http.post(f"/api/pendientes/{pendiente_id}/acciones/{accion}", json={}, headers=admin)
        assert r.status_code == 200, r.text

    avisos = await _avisos_por_rol(http, tokens, pendiente_id)
    assert avisos["administrador"] == []
    assert avisos["red"] == [("Pendiente requiere PPPoE", "WARNING")]
    assert avisos["asesor"] == [("Pendiente por validar", "INFO")]
