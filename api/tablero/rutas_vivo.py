"""`GET /tablero/vivo`: server-sent events for the board's session. `event: cambio` with
`{"id", "version"}` when a pendiente the user may see changes (api/tablero/vivo.py), a heartbeat comment
every ~15 s, and `event: expirada` before the stream ends when the session stopped working. `?id=`: only
that pendiente's changes (its page)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from api.comun.deps import SessionDep, SettingsDep, UsuarioActual, usuario_de_token
from api.tablero import vivo
from api.tablero.sesion import COOKIE_SESION, UsuarioTablero, exigir
from domain import pantallas
from domain.errores import NoAutenticado

router = APIRouter(prefix="/tablero", include_in_schema=False)
log = logging.getLogger("pendientes.tablero.vivo")

PERMISOS = pantallas.POR_RUTA["/tablero"].permisos


@router.get("/vivo")
async def cambios_en_vivo(
    request: Request,
    usuario: UsuarioTablero,
    session: SessionDep,
    settings: SettingsDep,
    id: int | None = Query(None, ge=1, le=2**63 - 1, description="Only this pendiente's changes"),
):
    exigir(usuario, *PERMISOS)
    # The stream lives for hours: it must not keep the request's pooled connection.
    await session.close()
    token = request.cookies[COOKIE_SESION]
    sessions = request.app.state.sessions

    async def revisar() -> UsuarioActual | None:
        """The session as a new request would see it now; None ends the stream."""
        try:
            async with sessions() as s:
                actual = await usuario_de_token(s, settings, token)
        except NoAutenticado:
            return None
        except Exception as error:  # noqa: BLE001 - Postgres down: keep the stream, check again later
            log.warning("could not re-check a live stream's session (%s)", type(error).__name__)
            return usuario
        return actual if actual.tiene(*PERMISOS) else None

    canal = vivo.de(request.app)
    cabeceras = {"cache-control": "no-store", "x-accel-buffering": "no"}
    return StreamingResponse(
        vivo.flujo(canal, canal.abrir(usuario, id), revisar),
        media_type="text/event-stream",
        headers=cabeceras,
    )
