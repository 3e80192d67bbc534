"""The board's live view: which open streams (`GET /tablero/vivo`) hear of a pendiente's change.

Every change of a pendiente NOTIFYs `pendientes` with "<id>:<version>" in its event's transaction
(db/eventos.py); the API process's one listener (api/seguimiento/difusor.py) hands each notice to `Vivo`,
which reads the pendiente's links once and queues the notice for every stream whose user may see the
pendiente by the API's rule (api/comun/visibilidad.py): now, or just before this change — a technician
whose pendiente was reassigned hears of it, so the card leaves their board. No stream holds a Postgres
connection: only the periodic re-check of its session borrows one for a moment."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from fastapi import FastAPI
from sqlalchemy import Integer, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.comun.deps import UsuarioActual
from api.comun.visibilidad import puede, vinculos
from db import models as m
from domain.visibilidad import Recurso

log = logging.getLogger("pendientes.tablero.vivo")

# Seconds between heartbeat comments (proxies and browsers drop a silent connection) and between two
# re-checks of the stream's session. Module values so tests can shorten them.
LATIDO = 15.0
REVISAR_SESION = 60.0
# Notices a slow stream may have waiting; past that it is told to reload everything instead.
COLA_MAXIMA = 200
# What the browser waits before reconnecting a dropped stream (ms, the SSE `retry:` field).
REINTENTO_MS = 3000

# A notice for one stream: (id, version), or None: "you may have missed changes, reload".
Aviso = tuple[int, int] | None
Enlaces = tuple[int | None, int | None]  # (registrado_por, asignado_a)


@dataclass(eq=False)
class Oyente:
    usuario: UsuarioActual
    # The page of one pendiente listens to that one only (`?id=`); None: every one the user may see.
    solo: int | None = None
    cola: asyncio.Queue[Aviso] = field(default_factory=lambda: asyncio.Queue(COLA_MAXIMA))

    def avisar(self, aviso: Aviso) -> None:
        try:
            self.cola.put_nowait(aviso)
        except asyncio.QueueFull:
            # Too far behind to be told change by change: drop them and ask for one full reload.
            while not self.cola.empty():
                self.cola.get_nowait()
            self.cola.put_nowait(None)

    def ve(self, enlaces: list[Enlaces]) -> bool:
        return any(
            puede(self.usuario, Recurso.PENDIENTE, vinculos(self.usuario, registrado_por=r, asignado_a=a))
            for r, a in enlaces
        )


async def enlaces_de(session: AsyncSession, pendiente_id: int, version: int) -> list[Enlaces]:
    """Who is linked to the pendiente now (its row) and before the change at `version` (the latest
    event of an earlier version: each event carries the pendiente as it was then)."""
    ahora = (
        await session.execute(
            select(m.Pendiente.registrado_por, m.Pendiente.asignado_a).where(m.Pendiente.id == pendiente_id)
        )
    ).first()
    if ahora is None:
        return []
    vista = m.Evento.datos["pendiente"]
    antes = (
        await session.execute(
            select(*(vista[c].astext.cast(Integer) for c in ("idEmpleadoRegistro", "idEmpleadoAsignado")))
            .where(m.Evento.pendiente_id == pendiente_id, m.Evento.seq < version)
            .order_by(m.Evento.seq.desc(), m.Evento.numero.desc())
            .limit(1)
        )
    ).first()
    return [tuple(ahora), *([tuple(antes)] if antes else [])]


class Vivo:
    """The open streams of one API process and the fan-out of the change notices to them."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._oyentes: set[Oyente] = set()

    def abrir(self, usuario: UsuarioActual, solo: int | None = None) -> Oyente:
        oyente = Oyente(usuario, solo)
        self._oyentes.add(oyente)
        return oyente

    def cerrar(self, oyente: Oyente) -> None:
        self._oyentes.discard(oyente)

    @property
    def abiertos(self) -> int:
        return len(self._oyentes)

    async def recibir(self, carga: str | None) -> None:
        """One notice from Postgres ("<id>:<version>"), or None after the listener reconnected."""
        if not self._oyentes:
            return
        if carga is None:
            for oyente in list(self._oyentes):
                oyente.avisar(None)
            return
        texto_id, _, texto_version = carga.partition(":")
        pendiente_id, version = int(texto_id), int(texto_version or 0)
        interesados = [o for o in self._oyentes if o.solo in (None, pendiente_id)]
        if not interesados:
            return  # only pages of other pendientes are open: not even the links are read
        async with self._sessions() as session:
            enlaces = await enlaces_de(session, pendiente_id, version)
        for oyente in interesados:
            if oyente.ve(enlaces):
                oyente.avisar((pendiente_id, version))


def de(app: FastAPI) -> Vivo:
    """The process's `Vivo`, made and subscribed to the listener on the first stream."""
    vivo = getattr(app.state, "vivo", None)
    if vivo is None:
        vivo = app.state.vivo = Vivo(app.state.sessions)
        app.state.difusor.al_cambiar_pendiente(vivo.recibir)
    return vivo


def _evento(nombre: str, datos: dict) -> str:
    return f"event: {nombre}\ndata: {json.dumps(datos, separators=(',', ':'))}\n\n"


async def flujo(
    vivo: Vivo,
    oyente: Oyente,
    revisar: Callable[[], Awaitable[UsuarioActual | None]],
) -> AsyncIterator[str]:
    """The text/event-stream of one browser: `cambio` {id, version} per visible change, `recargar` when
    changes may have been missed, a comment as heartbeat, and `expirada` before ending when the session
    stopped working (`revisar` answers None)."""
    try:
        yield f"retry: {REINTENTO_MS}\n: conectado\n\n"
        revisado = time.monotonic()
        while True:
            try:
                aviso = await asyncio.wait_for(oyente.cola.get(), timeout=LATIDO)
            except TimeoutError:
                yield ": latido\n\n"
            else:
                if aviso is None:
                    yield _evento("recargar", {})
                else:
                    yield _evento("cambio", {"id": aviso[0], "version": aviso[1]})
            if time.monotonic() - revisado >= REVISAR_SESION:
                usuario = await revisar()
                if usuario is None:
                    yield _evento("expirada", {})
                    return
                oyente.usuario, revisado = usuario, time.monotonic()
    finally:
        vivo.cerrar(oyente)
