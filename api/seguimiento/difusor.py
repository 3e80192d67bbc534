"""Live delivery of notifications over WebSocket, and the end of sockets whose token stopped working.

The worker writes a notification and NOTIFYs the Postgres channel in the same transaction; every API
process LISTENs and pushes it to the sockets its recipient has open there. So delivery never depends
on which API process received the action, nor on the worker knowing about sockets.

A socket lives only as long as the token it was opened with would still pass on a REST request. A
trigger NOTIFYs `credenciales` when a user's password, `vigente` or role changes, or a role is
deleted: that user's sockets (every socket, for a role) are re-checked at once and closed with 4401 if
their token no longer works. Each socket also closes itself when its token expires, and every socket
is re-checked after the listener reconnects (it may have missed notices) and every `revalidar_cada`
seconds, as a safety net.

The same connection LISTENs to `pendientes` (db/eventos.py: "<id>:<version>" per change, on commit) and
hands each notice to the registered listeners (the board's live streams, api/tablero/vivo.py): one
Postgres connection per API process, whatever the number of browsers. After a reconnection they get
`None`: changes may have been missed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg
from fastapi import WebSocket

from db.eventos import CANAL_PENDIENTES
from db.models.seguimiento import CANAL_NOTIFICACIONES
from infra.config import to_sqlalchemy_url

log = logging.getLogger("pendientes.notificaciones")

# Written by the trigger of migration 0004: a user id, or "*" when a role changed.
CANAL_CREDENCIALES = "credenciales"
# Close codes (documented in the README): the token stopped working; too many sockets for one user.
CIERRE_TOKEN = 4401
CIERRE_EXCESO = 1008


@dataclass(eq=False)
class Conexion:
    socket: WebSocket
    usuario_id: int
    # Re-reads the user and checks the socket's token as a REST request would; False: it no longer works.
    vigente: Callable[[], Awaitable[bool]]
    expira: datetime | None = None
    _reloj: asyncio.TimerHandle | None = field(default=None, repr=False)


class Difusor:
    def __init__(
        self,
        database_url: str,
        cargar: Callable[[int], Awaitable[dict | None]],
        revalidar_cada: float = 60.0,
    ) -> None:
        # psycopg wants a libpq URL; configuration may hold the SQLAlchemy form.
        self._url = to_sqlalchemy_url(database_url).replace("postgresql+psycopg://", "postgresql://", 1)
        self._cargar = cargar
        self._revalidar_cada = revalidar_cada
        self._sockets: dict[int, list[Conexion]] = defaultdict(list)  # oldest first
        self._tarea: asyncio.Task | None = None
        self._cierres: set[asyncio.Task] = set()
        self._oyentes_pendientes: list[Callable[[str | None], Awaitable[None]]] = []
        self.escuchando = asyncio.Event()

    def al_cambiar_pendiente(self, oyente: Callable[[str | None], Awaitable[None]]) -> None:
        """`oyente(carga)` for every `pendientes` notice ("<id>:<version>"); `None` after a reconnection."""
        self._oyentes_pendientes.append(oyente)

    async def conectar(self, conexion: Conexion, maximo: int) -> None:
        """Register a socket; beyond `maximo` for its user the oldest ones close (1008): a client that
        reconnects after losing its network must not be refused because of its own dead sockets."""
        abiertas = self._sockets[conexion.usuario_id]
        abiertas.append(conexion)
        if conexion.expira is not None:
            demora = max(0.0, (conexion.expira - datetime.now(UTC)).total_seconds())
            conexion._reloj = asyncio.get_running_loop().call_later(
                demora, self._cerrar_luego, conexion, CIERRE_TOKEN, "token expirado"
            )
        while len(abiertas) > maximo:
            await self._cerrar(abiertas[0], CIERRE_EXCESO, f"más de {maximo} conexiones abiertas")

    def desconectar(self, conexion: Conexion) -> None:
        abiertas = self._sockets.get(conexion.usuario_id, [])
        if conexion in abiertas:
            abiertas.remove(conexion)
        if not abiertas:
            self._sockets.pop(conexion.usuario_id, None)
        if conexion._reloj is not None:
            conexion._reloj.cancel()

    def abiertas(self, usuario_id: int) -> int:
        return len(self._sockets.get(usuario_id, ()))

    async def iniciar(self) -> None:
        self._tarea = asyncio.create_task(self._escuchar(), name="difusor-notificaciones")

    async def detener(self) -> None:
        if self._tarea is not None:
            self._tarea.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._tarea

    async def _escuchar(self) -> None:
        while True:  # reconnect if Postgres goes away; sockets stay open meanwhile
            try:
                async with await psycopg.AsyncConnection.connect(self._url, autocommit=True) as conexion:
                    await conexion.execute(f"LISTEN {CANAL_NOTIFICACIONES}")
                    await conexion.execute(f"LISTEN {CANAL_CREDENCIALES}")
                    await conexion.execute(f"LISTEN {CANAL_PENDIENTES}")
                    self.escuchando.set()
                    await self.revalidar()  # changes made while we were not listening
                    await self._avisar_pendiente(None)
                    while True:
                        async for aviso in conexion.notifies(timeout=self._revalidar_cada):
                            await self._atender(aviso.channel, aviso.payload)
                        await self.revalidar()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - keep listening whatever happened
                self.escuchando.clear()
                log.warning("notification listener lost Postgres (%s); retrying", type(error).__name__)
                await asyncio.sleep(2)

    async def _atender(self, canal: str, carga: str) -> None:
        if canal == CANAL_CREDENCIALES:
            await self.revalidar(None if carga == "*" else int(carga))
        elif canal == CANAL_PENDIENTES:
            await self._avisar_pendiente(carga)
        else:
            await self._entregar(carga)

    async def _avisar_pendiente(self, carga: str | None) -> None:
        for oyente in self._oyentes_pendientes:
            try:
                await oyente(carga)
            except Exception as error:  # noqa: BLE001 - one listener's failure must not stop the others
                log.warning("a pendiente-change listener failed (%s)", type(error).__name__)

    async def revalidar(self, usuario_id: int | None = None) -> None:
        """Close (4401) the sockets, of one user or all, whose token no longer works."""
        if usuario_id is None:
            conexiones = [c for lista in self._sockets.values() for c in lista]
        else:
            conexiones = list(self._sockets.get(usuario_id, ()))
        for conexion in conexiones:
            try:
                vigente = await conexion.vigente()
            except Exception as error:  # noqa: BLE001 - Postgres down: keep the socket, check later
                log.warning("could not re-check a socket's token (%s)", type(error).__name__)
                continue
            if not vigente:
                await self._cerrar(conexion, CIERRE_TOKEN, "token inválido o expirado")

    def _cerrar_luego(self, conexion: Conexion, codigo: int, motivo: str) -> None:
        tarea = asyncio.create_task(self._cerrar(conexion, codigo, motivo))
        self._cierres.add(tarea)
        tarea.add_done_callback(self._cierres.discard)

    async def _cerrar(self, conexion: Conexion, codigo: int, motivo: str) -> None:
        self.desconectar(conexion)
        with contextlib.suppress(Exception):  # the client may be gone already
            await conexion.socket.close(code=codigo, reason=motivo)

    async def _entregar(self, carga: str) -> None:
        usuario, _, notificacion = carga.partition(":")
        conexiones = list(self._sockets.get(int(usuario), ()))
        if not conexiones:
            return
        datos = await self._cargar(int(notificacion))
        if datos is None:
            return
        for conexion in conexiones:
            with contextlib.suppress(Exception):
                await conexion.socket.send_json(datos)
