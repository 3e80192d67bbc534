"""Live delivery of notifications over WebSocket.

The worker writes a notification and NOTIFYs the Postgres channel in the same transaction; every API
process LISTENs and pushes it to the sockets its recipient has open there. So delivery never depends
on which API process received the action, nor on the worker knowing about sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable

import psycopg
from fastapi import WebSocket

from pendientes.activities.persistencia import CANAL_NOTIFICACIONES
from pendientes.config import to_sqlalchemy_url

log = logging.getLogger("pendientes.notificaciones")


class Difusor:
    def __init__(self, database_url: str, cargar: Callable[[int], Awaitable[dict | None]]) -> None:
        # psycopg wants a libpq URL; configuration may hold the SQLAlchemy form.
        self._url = to_sqlalchemy_url(database_url).replace("postgresql+psycopg://", "postgresql://", 1)
        self._cargar = cargar
        self._sockets: dict[int, set[WebSocket]] = defaultdict(set)
        self._tarea: asyncio.Task | None = None
        self.escuchando = asyncio.Event()

    def conectar(self, usuario_id: int, socket: WebSocket) -> None:
        self._sockets[usuario_id].add(socket)

    def desconectar(self, usuario_id: int, socket: WebSocket) -> None:
        self._sockets[usuario_id].discard(socket)

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
                    self.escuchando.set()
                    async for aviso in conexion.notifies():
                        await self._entregar(aviso.payload)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - keep listening whatever happened
                self.escuchando.clear()
                log.warning("notification listener lost Postgres (%s); retrying", type(error).__name__)
                await asyncio.sleep(2)

    async def _entregar(self, carga: str) -> None:
        usuario, _, notificacion = carga.partition(":")
        sockets = list(self._sockets.get(int(usuario), ()))
        if not sockets:
            return
        datos = await self._cargar(int(notificacion))
        if datos is None:
            return
        for socket in sockets:
            with contextlib.suppress(Exception):
                await socket.send_json(datos)
