"""Notifications: created by the worker on events, read only by their recipient, pushed live."""

from __future__ import annotations

import asyncio
import json
import socket

import pytest
import uvicorn
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.conftest import auth


async def _mias(http, token: str, **filtros) -> list[dict]:
    yo = (await http.get("/api/usuarios/usuario", headers=auth(token))).json()["data"]["id"]
    r = await http.get(
        f"/api/notificaciones/usuario/{yo}", params={"size": 100} | filtros, headers=auth(token)
    )
    assert r.status_code == 200, r.text
    return r.json()["data"]["content"]


async def test_asignar_avisa_al_tecnico_y_no_a_otros(http, tokens, crear):
    pendiente_id = await crear("REGISTRADO")
    await http.put(
        f"/api/pendientes/{pendiente_id}/asignar?idAsignado=7", headers=auth(tokens["coordinadora"])
    )
    pendiente = (
        await http.get(f"/api/pendientes/{pendiente_id}", headers=auth(tokens["coordinadora"]))
    ).json()
    tecnico = "tecnico" if pendiente["data"]["asignadoA"].startswith("Edwin") else "tecnico2"
    otro = "tecnico2" if tecnico == "tecnico" else "tecnico"

    suyas = [n for n in await _mias(http, tokens[tecnico]) if n["pendienteId"] == pendiente_id]
    assert [(n["titulo"], n["estado"], n["tipo"]) for n in suyas] == [
        ("Nuevo pendiente asignado", "NO_LEIDO", "INFO")
    ]
    assert not [n for n in await _mias(http, tokens[otro]) if n["pendienteId"] == pendiente_id]


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


@pytest.fixture(scope="module")
async def servidor(app):
    """The same app behind a real uvicorn on a loopback port (WebSockets need a real server)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        puerto = s.getsockname()[1]
    servidor = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=puerto, lifespan="off", log_level="warning")
    )
    tarea = asyncio.create_task(servidor.serve())
    while not servidor.started:
        await asyncio.sleep(0.02)
    await asyncio.wait_for(app.state.difusor.escuchando.wait(), 10)
    yield f"ws://127.0.0.1:{puerto}/ws"
    servidor.should_exit = True
    await tarea


async def test_el_tecnico_recibe_en_vivo_lo_que_hace_la_coordinadora(servidor, http, tokens, crear):
    pendiente_id = await crear("REGISTRADO")
    async with (
        connect(f"{servidor}?token={tokens['tecnico']}") as tecnico,
        connect(f"{servidor}?token={tokens['tecnico2']}") as otro,
    ):
        r = await http.put(
            f"/api/pendientes/{pendiente_id}/asignar?idAsignado=6", headers=auth(tokens["coordinadora"])
        )
        assert r.status_code == 200

        mensaje = json.loads(await asyncio.wait_for(tecnico.recv(), 10))
        assert (mensaje["pendienteId"], mensaje["titulo"]) == (pendiente_id, "Nuevo pendiente asignado")
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(otro.recv(), 0.5)


async def test_sin_token_valido_el_socket_se_cierra(servidor):
    with pytest.raises((InvalidStatus, Exception)) as error:
        async with connect(f"{servidor}?token=falso") as ws:
            await asyncio.wait_for(ws.recv(), 5)
    assert "4401" in str(error.value) or "403" in str(error.value)
