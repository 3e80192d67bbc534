"""A live-notification socket lives only as long as its token would pass a REST request: it closes with
4401 when the password changes, the user is deactivated or deleted, or the token expires; and a user has
at most 5 sockets open (the oldest closes with 1008). README, Notifications."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection, connect

from db import models as m
from infra.seguridad import huella_password
from tests.api.seguimiento.conftest import ESPERA
from tests.conftest import auth

PASSWORD = "clave-de-prueba-123"  # the `cuenta` fixture's
TOKEN_DEJA_DE_VALER = 4401
DEMASIADOS_SOCKETS = 1008
MAX_SOCKETS = 5


def _token(cabeceras: dict[str, str]) -> str:
    return cabeceras["Authorization"].removeprefix("Bearer ")


async def _yo(http, cabeceras) -> int:
    return (await http.get("/api/usuarios/usuario", headers=cabeceras)).json()["data"]["id"]


async def _cierre(ws: ClientConnection, quien: str) -> int:
    try:
        await asyncio.wait_for(ws.wait_closed(), ESPERA)
    except TimeoutError:
        raise AssertionError(f"{quien}: the socket was still open after {ESPERA} s") from None
    return ws.close_code


async def _avisar(http, h, usuario_id: int, titulo: str) -> None:
    r = await http.post(
        "/api/notificaciones", json={"titulo": titulo, "usuarioId": usuario_id}, headers=h["administrador"]
    )
    assert r.status_code == 201, r.text


async def _recibe(ws: ClientConnection, titulo: str) -> None:
    """The socket is open and gets the next push (a closed one would raise here)."""
    try:
        mensaje = json.loads(await asyncio.wait_for(ws.recv(), ESPERA))
    except TimeoutError:
        raise AssertionError(f"no push '{titulo}' within {ESPERA} s") from None
    assert mensaje["titulo"] == titulo


async def _cambiar_password(http, h, usuario_id, cabeceras):
    cuerpo = {"passwordActual": PASSWORD, "passwordNueva": "otra-clave-larga-456"}
    return await http.put("/api/usuarios/usuario/password", json=cuerpo, headers=cabeceras)


async def _desactivar(http, h, usuario_id, cabeceras):
    return await http.put(f"/api/usuarios/{usuario_id}", json={"activo": False}, headers=h["administrador"])


async def _eliminar(http, h, usuario_id, cabeceras):
    return await http.delete(f"/api/usuarios/{usuario_id}", headers=h["administrador"])


@pytest.mark.parametrize("cambio", [_cambiar_password, _desactivar, _eliminar])
async def test_el_socket_se_cierra_cuando_su_token_deja_de_valer(servidor, http, h, cuenta, cambio):
    suya, otra = await cuenta("VER_DETALLE"), await cuenta("VER_DETALLE")
    suyo_id, otro_id = await _yo(http, suya), await _yo(http, otra)
    async with (
        connect(f"{servidor}?token={_token(suya)}") as ws,
        connect(f"{servidor}?token={_token(otra)}") as ajeno,
    ):
        r = await cambio(http, h, suyo_id, suya)
        assert r.status_code == 200, r.text

        assert await _cierre(ws, cambio.__name__) == TOKEN_DEJA_DE_VALER
        assert (await http.get("/auth/validar-token", headers=suya)).status_code == 401
        # Only that user's sockets: another user's stays open and keeps receiving.
        await _avisar(http, h, otro_id, "sigue abierto")
        await _recibe(ajeno, "sigue abierto")


async def test_el_socket_se_cierra_cuando_su_token_expira(servidor, http, cuenta, settings, sessions):
    cabeceras = await cuenta("VER_DETALLE")
    yo = await _yo(http, cabeceras)
    async with sessions() as s:
        huella = huella_password(await s.scalar(select(m.Usuario.password_hash).where(m.Usuario.id == yo)))
    ahora = datetime.now(UTC)
    carga = {"sub": str(yo), "rol": "x", "sv": huella, "iat": ahora, "exp": ahora + timedelta(seconds=2)}
    carga["auth_time"] = int(ahora.timestamp())
    token = jwt.encode(carga, settings.jwt_secret.get_secret_value(), algorithm="HS256")

    async with connect(f"{servidor}?token={token}") as ws:
        assert await _cierre(ws, "expiring token") == TOKEN_DEJA_DE_VALER
    assert (await http.get("/auth/validar-token", headers=auth(token))).status_code == 401


async def test_a_lo_sumo_5_sockets_por_usuario_el_mas_antiguo_se_cierra(servidor, http, h, cuenta):
    cabeceras = await cuenta("VER_DETALLE")
    yo = await _yo(http, cabeceras)
    url = f"{servidor}?token={_token(cabeceras)}"
    sockets = [await connect(url) for _ in range(MAX_SOCKETS)]
    try:
        sexto = await connect(url)
        sockets.append(sexto)

        assert await _cierre(sockets[0], "the oldest socket") == DEMASIADOS_SOCKETS
        await _avisar(http, h, yo, "los cinco")
        for ws in sockets[1:]:
            await _recibe(ws, "los cinco")
    finally:
        for ws in sockets:
            await ws.close()
