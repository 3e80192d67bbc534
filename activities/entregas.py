"""Events out: the relay that turns new outbox events into deliveries (one per interested subscription)
and wakes their workflows, and the delivery of one event to one receiver (signed, one HTTP attempt).

The relay and the deliveries meet in Postgres. The relay holds an exclusive advisory lock while it
inserts a batch and signals its workflows, and commits after signalling (a crash between the two only
re-processes the batch: inserts are idempotent); `siguiente_entrega` takes the same lock shared before
it reads, so a workflow woken by the signal never reads before the batch that woke it is committed."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from contrato import nombres
from contrato.entregas import ClaveEntregas, Desenlace, OrdenEntrega, Reparto, ResultadoEntrega
from db import models as m
from db.eventos import cuerpo
from db.notificaciones import con_permiso, notificar
from domain.enums import NotificationTipo
from domain.eventos import INTENTOS_MAXIMOS, EstadoEntrega, espera_antes_del_intento
from domain.permisos import Permiso
from infra.config import Settings
from infra.seguridad import Cifrador
from infra.temporal import avisar_entregas
from infra.webhooks import DestinoProhibido, cabeceras, cliente_http, direcciones_permitidas

log = logging.getLogger("entregas")

LOTE = 100
# A run of deliveries in one ENTREGAR activity ends after this long: it runs as a local activity, which
# holds the workflow task open.
SEGUNDOS_POR_RACHA = 5.0
# Key of the advisory lock between the relay (exclusive) and the readers of the queues (shared).
CERROJO_REPARTO = 0x656E7472  # "entr"
RESPUESTA_MAXIMA = 1000
ERROR_MAXIMO = 500
SIGNALS_EN_PARALELO = 16


# -- Which subscription wants which event ------------------------------------------------------------


def clave_de(evento: m.Evento) -> str:
    """The ordering key: a pendiente's events in order, a client's in order, anything else alone."""
    if evento.pendiente_id is not None:
        return f"pendiente-{evento.pendiente_id}"
    if evento.cliente_id is not None:
        return f"cliente-{evento.cliente_id}"
    return f"evento-{evento.numero}"


def quiere(webhook: m.Webhook, evento: m.Evento) -> bool:
    """A subscription wants an event of a type it lists (none listed: every type) about a pendiente of
    a tipo and lugar its filters allow. A filter set means "pendientes like these": an event with no
    pendiente (a client's) does not pass it."""
    if webhook.eventos is not None and evento.tipo not in webhook.eventos:
        return False
    if webhook.filtro_tipos is None and webhook.filtro_lugares is None:
        return True
    pendiente = (evento.datos or {}).get("pendiente")
    if not isinstance(pendiente, dict):
        return False
    if webhook.filtro_tipos is not None and pendiente.get("tipo") not in webhook.filtro_tipos:
        return False
    return webhook.filtro_lugares is None or pendiente.get("lugar") in webhook.filtro_lugares


# -- What a receiver gets ----------------------------------------------------------------------------


class Repartidor:
    """REPARTIR: for about `duracion` seconds, every `pausa` seconds, hands the new events to the
    deliveries. One run of it at a time (RepartidorWorkflow is a singleton); the lock makes a zombie
    run harmless anyway."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        client: Client,
        task_queue: str,
        duracion: float = 30.0,
        pausa: float = 0.25,
    ) -> None:
        self._sessions = sessions
        self._client = client
        self._task_queue = task_queue
        self._duracion = duracion
        self._pausa = pausa

    @activity.defn(name=nombres.REPARTIR)
    async def repartir(self) -> Reparto:
        reloj = asyncio.get_running_loop()
        fin = reloj.time() + self._duracion
        total = Reparto()
        while reloj.time() < fin and not activity.is_worker_shutdown():
            lote = await self.repartir_lote()
            total.eventos += lote.eventos
            total.entregas += lote.entregas
            activity.heartbeat(total.eventos)
            if lote.eventos < LOTE:
                await asyncio.sleep(self._pausa)
        return total

    async def repartir_lote(self) -> Reparto:
        async with self._sessions() as s, s.begin():
            await s.execute(select(func.pg_advisory_xact_lock(CERROJO_REPARTO)))
            webhooks = list(
                await s.scalars(
                    select(m.Webhook).where(m.Webhook.vigente.is_(True), m.Webhook.activo.is_(True))
                )
            )
            # Plain columns; the payload only when a subscription filters on it (the outbox grows by
            # one row per change, and most relays have nothing to read in it).
            e = m.Evento.__table__.c
            columnas = [e.numero, e.tipo, e.pendiente_id, e.cliente_id]
            if any(w.filtro_tipos is not None or w.filtro_lugares is not None for w in webhooks):
                columnas.append(e.datos)
            consulta = (
                select(*columnas)
                .where(e.despachado_en.is_(None))
                .order_by(e.numero)
                .limit(LOTE)
                .with_for_update(skip_locked=True)
            )
            eventos = (await s.execute(consulta)).all()
            if not eventos:
                return Reparto()
            filas = [
                {"webhook_id": w.id, "evento_numero": e.numero, "clave": clave_de(e)}
                for e in eventos
                for w in webhooks
                if quiere(w, e)
            ]
            if filas:
                await s.execute(
                    insert(m.Entrega)
                    .values(filas)
                    .on_conflict_do_nothing(index_elements=["webhook_id", "evento_numero"])
                )
            await s.execute(
                update(m.Evento)
                .where(m.Evento.numero.in_([e.numero for e in eventos]))
                .values(despachado_en=func.now())
            )
            # Before the commit: a failed signal fails the batch, which is then re-processed whole.
            await self._avisar({(f["webhook_id"], f["clave"]) for f in filas})
        return Reparto(eventos=len(eventos), entregas=len(filas))

    async def _avisar(self, colas: set[tuple[int, str]]) -> None:
        limite = asyncio.Semaphore(SIGNALS_EN_PARALELO)

        async def uno(webhook_id: int, clave: str) -> None:
            async with limite:
                # It reads Postgres: a duplicate wake-up is harmless.
                await avisar_entregas(self._client, self._task_queue, webhook_id, clave)

        await asyncio.gather(*(uno(w, c) for w, c in sorted(colas)))


class Entregador:
    """SIGUIENTE_ENTREGA and ENTREGAR."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self._sessions = sessions
        self._settings = settings
        clave = settings.secrets_key
        self._cifrador = Cifrador(clave.get_secret_value()) if clave is not None else None
        self._http: httpx.AsyncClient | None = None

    def _cliente_http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = cliente_http(self._settings.webhooks_a_redes_privadas)
        return self._http

    async def cerrar(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    @activity.defn(name=nombres.SIGUIENTE_ENTREGA)
    async def siguiente_entrega(self, cola: ClaveEntregas) -> int | None:
        """The oldest waiting delivery of the queue (by event number), or None."""
        return await self._siguiente(cola)

    async def _siguiente(self, cola: ClaveEntregas) -> int | None:
        async with self._sessions() as s, s.begin():
            await s.execute(select(func.pg_advisory_xact_lock_shared(CERROJO_REPARTO)))
            return await s.scalar(
                select(m.Entrega.id)
                .where(
                    m.Entrega.webhook_id == cola.webhook_id,
                    m.Entrega.clave == cola.clave,
                    m.Entrega.estado == EstadoEntrega.PENDIENTE,
                )
                .order_by(m.Entrega.evento_numero)
                .limit(1)
            )

    @activity.defn(name=nombres.ENTREGAR)
    async def entregar(self, orden: OrdenEntrega) -> ResultadoEntrega:
        """Attempt the delivery in hand; while the receiver accepts, go on with the queue's next ones in
        order (a run of them in one activity: a busy key costs one workflow step per run, not per
        event). Stops at the first one not delivered, which the answer names with its outcome."""
        resultado, cola = await self._una(orden)
        resultado.entrega_id, resultado.entregadas = orden.entrega_id, 0
        fin = time.monotonic() + SEGUNDOS_POR_RACHA
        while resultado.estado == Desenlace.ENTREGADA:
            resultado.entregadas += 1
            if cola is None or resultado.entregadas >= LOTE or time.monotonic() > fin:
                break
            siguiente = await self._siguiente(cola)
            if siguiente is None:
                break
            activity.heartbeat(resultado.entregadas)
            entregadas = resultado.entregadas
            resultado, _ = await self._una(OrdenEntrega(entrega_id=siguiente))
            resultado.entrega_id, resultado.entregadas = siguiente, entregadas
        return resultado

    async def _una(self, orden: OrdenEntrega) -> tuple[ResultadoEntrega, ClaveEntregas | None]:
        """One attempt of one delivery, and its queue (None if it was settled before this attempt)."""
        async with self._sessions() as s:
            fila = (
                await s.execute(
                    select(m.Entrega, m.Evento, m.Webhook)
                    .join(m.Evento, m.Evento.numero == m.Entrega.evento_numero)
                    .join(m.Webhook, m.Webhook.id == m.Entrega.webhook_id)
                    .where(m.Entrega.id == orden.entrega_id)
                )
            ).one_or_none()
        if fila is None:
            raise ApplicationError(f"la entrega {orden.entrega_id} no existe", non_retryable=True)
        entrega, evento, webhook = fila
        if entrega.estado != EstadoEntrega.PENDIENTE:
            # Already settled (a retried activity whose first run committed, or a concurrent change).
            return ResultadoEntrega(estado=Desenlace(entrega.estado), status=entrega.ultimo_status), None
        cola = ClaveEntregas(webhook_id=webhook.id, clave=entrega.clave)
        if not (webhook.vigente and webhook.activo):
            await self._descartar(webhook.id, entrega.clave)
            return ResultadoEntrega(estado=Desenlace.DESCARTADA), cola

        ahora = datetime.now(UTC)
        status, respuesta, error, latencia = await self._enviar(webhook, evento, ahora)
        resultado = await self._anotar(orden, entrega, webhook, ahora, status, respuesta, error, latencia)
        return resultado, cola

    def _secretos(self, webhook: m.Webhook, ahora: datetime) -> list[str]:
        if self._cifrador is None:
            raise ApplicationError("SECRETS_KEY no está configurada: no se puede firmar")
        secretos = [self._cifrador.descifrar(c) for c in webhook.secretos_cifrados(ahora)]
        if secretos[0] is None:
            raise ApplicationError(f"el secreto del webhook {webhook.id} no se puede descifrar")
        return [s for s in secretos if s is not None]

    async def _enviar(
        self, webhook: m.Webhook, evento: m.Evento, ahora: datetime
    ) -> tuple[int | None, str | None, str | None, int | None]:
        """(status, answer excerpt, error, latency ms) of one POST; never raises for the receiver's sake."""
        plazo = self._settings.webhook_timeout_segundos
        try:
            async with asyncio.timeout(plazo):
                await direcciones_permitidas(webhook.url, self._settings.webhooks_a_redes_privadas)
        except DestinoProhibido as prohibido:
            return None, None, f"destino prohibido: {prohibido}"[:ERROR_MAXIMO], None
        except TimeoutError:
            return None, None, f"el host no resolvió en {plazo:g} s", None
        texto = cuerpo(evento, webhook.formato)
        firmadas = cabeceras(self._secretos(webhook, ahora), evento.id, ahora, texto)
        firmadas["user-agent"] = "pendientes-webhooks/1"
        inicio = time.perf_counter()
        try:
            # httpx's timeout is per phase (connect, each write, each read): a receiver that drips its
            # answer could go on past the activity's limit, and the attempt would never be recorded.
            async with asyncio.timeout(plazo):
                r = await self._cliente_http().post(
                    webhook.url, content=texto.encode(), headers=firmadas, timeout=plazo
                )
        except (httpx.TimeoutException, TimeoutError):
            error = f"sin respuesta en {plazo:g} s"
            return None, None, error, round((time.perf_counter() - inicio) * 1000)
        except httpx.HTTPError as fallo:
            error = f"{type(fallo).__name__}: {fallo}"[:ERROR_MAXIMO]
            return None, None, error, round((time.perf_counter() - inicio) * 1000)
        latencia = round((time.perf_counter() - inicio) * 1000)
        return r.status_code, r.text[:RESPUESTA_MAXIMA], None, latencia

    async def _anotar(
        self,
        orden: OrdenEntrega,
        entrega: m.Entrega,
        webhook: m.Webhook,
        ahora: datetime,
        status: int | None,
        respuesta: str | None,
        error: str | None,
        latencia: int | None,
    ) -> ResultadoEntrega:
        """Record the attempt and decide what comes next, in one transaction."""
        limite = timedelta(hours=self._settings.webhook_desactivar_tras_horas)
        espera: float | None = None
        valores: dict[str, Any] = {"ultimo_status": status, "ultimo_error": error, "proximo_intento": None}
        async with self._sessions() as s, s.begin():
            if status is not None and 200 <= status < 300:
                desenlace = Desenlace.ENTREGADA
                valores["entregada_en"] = func.now()
                await s.execute(
                    update(m.Webhook)
                    .where(m.Webhook.id == webhook.id, m.Webhook.fallando_desde.is_not(None))
                    .values(fallando_desde=None)
                )
            elif status == 410:
                desenlace = Desenlace.DESCARTADA
                await self._desactivar(s, webhook, "el receptor respondió 410 Gone")
            else:
                desde = webhook.fallando_desde or ahora
                if webhook.fallando_desde is None:
                    await s.execute(
                        update(m.Webhook)
                        .where(m.Webhook.id == webhook.id, m.Webhook.fallando_desde.is_(None))
                        .values(fallando_desde=ahora)
                    )
                if ahora - desde > limite:
                    desenlace = Desenlace.DESCARTADA
                    horas = f"{self._settings.webhook_desactivar_tras_horas:g}"
                    await self._desactivar(
                        s, webhook, f"todas las entregas fallaron durante más de {horas} h"
                    )
                elif orden.intento >= INTENTOS_MAXIMOS:
                    desenlace = Desenlace.FALLIDA
                else:
                    desenlace = Desenlace.REINTENTAR
                    espera = espera_antes_del_intento(orden.intento + 1, random.random()).total_seconds()
                    valores["proximo_intento"] = ahora + timedelta(seconds=espera)
            valores["estado"] = (
                EstadoEntrega.PENDIENTE if desenlace == Desenlace.REINTENTAR else desenlace.value
            )
            cambiada = await s.scalar(
                update(m.Entrega)
                .where(
                    m.Entrega.id == entrega.id,
                    m.Entrega.estado == EstadoEntrega.PENDIENTE,
                    m.Entrega.intentos == entrega.intentos,
                )
                .values(intentos=m.Entrega.intentos + 1, **valores)
                .returning(m.Entrega.intentos)
            )
            if cambiada is None:
                # Someone else settled it meanwhile (a redelivery, a zombie run): its record stands.
                raise ApplicationError(f"la entrega {entrega.id} cambió durante el intento")
            await s.execute(
                insert(m.IntentoEntrega).values(
                    entrega_id=entrega.id,
                    numero=cambiada,
                    fecha=ahora,
                    status=status,
                    latencia_ms=latencia,
                    respuesta=respuesta,
                    error=error,
                )
            )
        log.info(
            "entrega %s (webhook %s, intento %s): %s %s",
            entrega.id,
            webhook.id,
            orden.intento,
            status if status is not None else error,
            desenlace,
        )
        return ResultadoEntrega(estado=desenlace, espera_segundos=espera, status=status)

    async def _desactivar(self, s: AsyncSession, webhook: m.Webhook, motivo: str) -> None:
        """Disable the subscription once and tell every active administrator."""
        desactivado = await s.scalar(
            update(m.Webhook)
            .where(m.Webhook.id == webhook.id, m.Webhook.activo.is_(True))
            .values(activo=False, motivo_inactivo=motivo[:500], fecha_modificacion=func.now())
            .returning(m.Webhook.id)
        )
        if desactivado is None:
            return
        marca = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        for usuario_id in list(await s.scalars(con_permiso(Permiso.ADMINISTRAR))):
            await notificar(
                s,
                usuario_id=usuario_id,
                titulo="Webhook desactivado",
                mensaje=f"El webhook {webhook.id} ({webhook.url[:200]}) se desactivó: {motivo}.",
                tipo=NotificationTipo.WARNING,
                evento_clave=f"webhook-{webhook.id}-desactivado-{marca}:{usuario_id}",
            )

    async def _descartar(self, webhook_id: int, clave: str) -> None:
        """Every waiting delivery of the queue of a disabled or deleted subscription, at once."""
        async with self._sessions() as s, s.begin():
            await s.execute(
                update(m.Entrega)
                .where(
                    m.Entrega.webhook_id == webhook_id,
                    m.Entrega.clave == clave,
                    m.Entrega.estado == EstadoEntrega.PENDIENTE,
                )
                .values(estado=EstadoEntrega.DESCARTADA, proximo_intento=None)
            )
