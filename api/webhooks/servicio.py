"""Every read and write of webhook subscriptions and their delivery log, the redeliveries (which wake the
delivery engine in Temporal) and the ping (the one delivery made in the request path, on purpose).

The signing secret is answered once, on create and on rotation, and stored only Fernet-encrypted: no
other answer, log line or error carries it. Deliveries themselves run in Temporal (EntregasWorkflow, one
per subscription and ordering key); this module only changes their rows and tells the workflow to look."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client
from temporalio.service import RPCError

from api.comun.paginacion import Pagina, ParametrosPagina, paginar
from api.comun.parcial import aplicar
from api.webhooks.esquemas import (
    EntregaDetalle,
    EntregaResponse,
    FiltroResponse,
    IntentoResponse,
    PingResultado,
    WebhookResponse,
)
from db import models as m
from db.eventos import cuerpo
from domain.errores import Conflicto, DatosInvalidos, NoDisponible, NoEncontrado
from domain.eventos import EstadoEntrega, TipoEvento
from infra.config import Settings
from infra.seguridad import Cifrador
from infra.temporal import avisar_entregas
from infra.webhooks import (
    DestinoProhibido,
    cabeceras,
    cliente_http,
    direcciones_permitidas,
    generar_secreto,
)

log = logging.getLogger("api.webhooks")

# The answer's excerpt kept for the log and the ping (IntentoEntrega.respuesta's width), and how much of
# a receiver's body is read at most to get it: a huge answer is never loaded whole.
LARGO_EXTRACTO = 1000
LECTURA_MAXIMA = 8 * 1024
LARGO_ERROR = 500
# Wakes sent at once after a range redelivery (one per subscription and ordering key).
AVISOS_SIMULTANEOS = 20
MOTIVO_MANUAL = "desactivado por un administrador"

COLUMNAS_ORDEN = {
    "id": m.Webhook.id,
    "url": m.Webhook.url,
    "activo": m.Webhook.activo,
    "fechaCreacion": m.Webhook.fecha_creacion,
}
COLUMNAS_ORDEN_ENTREGAS = {
    "id": m.Entrega.id,
    "estado": m.Entrega.estado,
    "fechaCreacion": m.Entrega.fecha_creacion,
    "proximoIntento": m.Entrega.proximo_intento,
}


async def _ahora(session: AsyncSession) -> datetime:
    """The database's clock: the one the engine and the deliveries' fecha_creacion use."""
    return await session.scalar(select(func.now()))


# --- Subscriptions -----------------------------------------------------------------------------------


def respuesta(fila: m.Webhook, ahora: datetime | None = None) -> WebhookResponse:
    filtro = None
    if fila.filtro_tipos is not None or fila.filtro_lugares is not None:
        filtro = FiltroResponse(tipos=fila.filtro_tipos, lugares=fila.filtro_lugares)
    vence = fila.anterior_vence_en
    if vence is not None and ahora is not None and vence <= ahora:
        vence = None  # the grace is over: only the current secret signs
    return WebhookResponse(
        id=fila.id,
        url=fila.url,
        eventos=fila.eventos,
        filtro=filtro,
        activo=fila.activo,
        motivo_inactivo=fila.motivo_inactivo,
        descripcion=fila.descripcion,
        formato=fila.formato,
        fallando_desde=fila.fallando_desde,
        anterior_vence_en=vence,
        creado_por=fila.creado_por,
        fecha_creacion=fila.fecha_creacion,
        fecha_modificacion=fila.fecha_modificacion,
    )


async def url_permitida(url: str, settings: Settings) -> str:
    """The URL if it may be called from here (SSRF); a 422 naming `url` with the reason otherwise."""
    try:
        await direcciones_permitidas(url, settings.webhooks_a_redes_privadas)
    except DestinoProhibido as error:
        raise DatosInvalidos(f"url no permitida: {error}", {"campo": "url"}) from None
    return url


def _columnas(valores: dict[str, Any]) -> dict[str, Any]:
    """Body fields (by attribute name) -> the row's columns: the filter is two columns, enums are
    stored by value."""
    columnas = dict(valores)
    if "filtro" in columnas:
        filtro = columnas.pop("filtro")
        columnas["filtro_tipos"] = None if filtro is None else _valores(filtro.tipos)
        columnas["filtro_lugares"] = None if filtro is None else _valores(filtro.lugares)
    if "eventos" in columnas:
        columnas["eventos"] = _valores(columnas["eventos"])
    return columnas


def _valores(lista: list[Any] | None) -> list[str] | None:
    return None if lista is None else [str(v) for v in dict.fromkeys(lista)]


async def crear(
    session: AsyncSession, settings: Settings, cifrador: Cifrador, usuario_id: int, valores: dict[str, Any]
) -> tuple[m.Webhook, str]:
    """A new subscription and its secret in clear (answered once; only its encryption is stored)."""
    await url_permitida(valores["url"], settings)
    secreto = generar_secreto()
    fila = m.Webhook(**_columnas(valores), secreto_cifrado=cifrador.cifrar(secreto), creado_por=usuario_id)
    session.add(fila)
    await session.commit()
    await session.refresh(fila)
    return fila, secreto


async def listar(session: AsyncSession, pagina: ParametrosPagina) -> Pagina[WebhookResponse]:
    ahora = await _ahora(session)
    consulta = select(m.Webhook).where(m.Webhook.vigente.is_(True))
    return await paginar(
        session,
        consulta,
        pagina,
        lambda fila: respuesta(fila, ahora),
        COLUMNAS_ORDEN,
        m.Webhook.id.asc(),
        desempate=m.Webhook.id.asc(),
    )


async def webhook(session: AsyncSession, webhook_id: int, bloquear: bool = False) -> m.Webhook:
    """The subscription (404 if unknown or deleted); `bloquear` holds its row until the commit, so two
    concurrent rotations or edits apply one after the other."""
    consulta = select(m.Webhook).where(m.Webhook.id == webhook_id).execution_options(populate_existing=True)
    fila = await session.scalar(consulta.with_for_update() if bloquear else consulta)
    if fila is None or not fila.vigente:
        raise NoEncontrado(f"webhook {webhook_id} no encontrado", {"id": webhook_id})
    return fila


async def leer(session: AsyncSession, webhook_id: int) -> WebhookResponse:
    return respuesta(await webhook(session, webhook_id), await _ahora(session))


async def editar(
    session: AsyncSession, settings: Settings, webhook_id: int, valores: dict[str, Any]
) -> WebhookResponse:
    """Apply the fields sent. A new URL is checked again; re-activating forgets why it was disabled and
    since when it was failing (the disabling clock starts again); disabling by hand says so."""
    fila = await webhook(session, webhook_id, bloquear=True)
    if "url" in valores:
        await url_permitida(valores["url"], settings)
    columnas = _columnas(valores)
    if "activo" in columnas and columnas["activo"] != fila.activo:
        if columnas["activo"]:
            columnas |= {"motivo_inactivo": None, "fallando_desde": None}
        else:
            columnas["motivo_inactivo"] = MOTIVO_MANUAL
    aplicar(fila, columnas)
    await session.commit()
    return await leer(session, webhook_id)


async def eliminar(session: AsyncSession, webhook_id: int) -> None:
    """Soft delete: the engine discards (DESCARTADA) the deliveries still waiting."""
    fila = await webhook(session, webhook_id, bloquear=True)
    fila.vigente = False
    await session.commit()


async def rotar(
    session: AsyncSession, settings: Settings, cifrador: Cifrador, webhook_id: int
) -> tuple[str, datetime | None]:
    """A new secret (answered once). The current one becomes the previous and keeps signing, next to the
    new one, for the grace period, so a receiver can switch without losing a delivery. A second rotation
    within the grace drops the oldest secret."""
    fila = await webhook(session, webhook_id, bloquear=True)
    ahora = await _ahora(session)
    secreto = generar_secreto()
    gracia = timedelta(hours=settings.webhook_gracia_rotacion_horas)
    if gracia:
        fila.secreto_anterior_cifrado = fila.secreto_cifrado
        fila.anterior_vence_en = ahora + gracia
    else:
        fila.secreto_anterior_cifrado = fila.anterior_vence_en = None
    fila.secreto_cifrado = cifrador.cifrar(secreto)
    await session.commit()
    return secreto, fila.anterior_vence_en


def secretos(fila: m.Webhook, cifrador: Cifrador, ahora: datetime) -> list[str]:
    """The secrets that sign now: the current one, then the previous one during its grace."""
    firmantes = [cifrador.descifrar(c) for c in fila.secretos_cifrados(ahora)]
    if firmantes[0] is None:
        # SECRETS_KEY changed since the secret was stored: nothing can be signed until it is rotated.
        raise Conflicto(
            "el secreto de este webhook no se puede descifrar (¿cambió SECRETS_KEY?): rótelo",
            {"campo": "secreto"},
        )
    return [s for s in firmantes if s is not None]


# --- Delivery log ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FiltrosEntregas:
    estado: EstadoEntrega | None = None
    desde: datetime | None = None
    hasta: datetime | None = None


def _rango(desde: datetime | None, hasta: datetime | None) -> list[ColumnElement[bool]]:
    if desde is not None and hasta is not None and hasta <= desde:
        raise DatosInvalidos("hasta debe ser posterior a desde", {"campo": "hasta"})
    condiciones: list[ColumnElement[bool]] = []
    if desde is not None:
        condiciones.append(m.Entrega.fecha_creacion >= desde)
    if hasta is not None:
        condiciones.append(m.Entrega.fecha_creacion < hasta)
    return condiciones


def _entrega(fila: Any) -> EntregaResponse:
    entrega, evento_id, tipo = fila
    return EntregaResponse(
        id=entrega.id,
        evento_id=evento_id,
        tipo=tipo,
        clave=entrega.clave,
        estado=entrega.estado,
        intentos=entrega.intentos,
        ultimo_status=entrega.ultimo_status,
        ultimo_error=entrega.ultimo_error,
        proximo_intento=entrega.proximo_intento,
        entregada_en=entrega.entregada_en,
        fecha_creacion=entrega.fecha_creacion,
    )


def _con_evento():
    return select(m.Entrega, m.Evento.id, m.Evento.tipo).join(
        m.Evento, m.Evento.numero == m.Entrega.evento_numero
    )


async def entregas(
    session: AsyncSession, webhook_id: int, filtros: FiltrosEntregas, pagina: ParametrosPagina
) -> Pagina[EntregaResponse]:
    """The subscription's deliveries, newest first unless sorted otherwise."""
    await webhook(session, webhook_id)
    condiciones = [m.Entrega.webhook_id == webhook_id, *_rango(filtros.desde, filtros.hasta)]
    if filtros.estado is not None:
        condiciones.append(m.Entrega.estado == filtros.estado)
    return await paginar(
        session,
        _con_evento().where(*condiciones),
        pagina,
        _entrega,
        COLUMNAS_ORDEN_ENTREGAS,
        m.Entrega.fecha_creacion.desc(),
        escalar=False,
        desempate=m.Entrega.id.desc(),
    )


async def _fila_entrega(session: AsyncSession, webhook_id: int, entrega_id: int, bloquear: bool = False):
    consulta = _con_evento().where(m.Entrega.id == entrega_id, m.Entrega.webhook_id == webhook_id)
    if bloquear:
        consulta = consulta.with_for_update(of=m.Entrega)
    fila = (await session.execute(consulta.execution_options(populate_existing=True))).first()
    if fila is None:
        raise NoEncontrado(
            f"entrega {entrega_id} no encontrada en el webhook {webhook_id}", {"entregaId": entrega_id}
        )
    return fila


async def entrega(session: AsyncSession, webhook_id: int, entrega_id: int) -> EntregaDetalle:
    """One delivery with every attempt, first to last."""
    await webhook(session, webhook_id)
    fila = await _fila_entrega(session, webhook_id, entrega_id)
    intentos = await session.scalars(
        select(m.IntentoEntrega)
        .where(m.IntentoEntrega.entrega_id == entrega_id)
        .order_by(m.IntentoEntrega.fecha, m.IntentoEntrega.id)
    )
    historial = [IntentoResponse.model_validate(i, from_attributes=True) for i in intentos]
    return EntregaDetalle(**_entrega(fila).model_dump(), historial=historial)


# --- Redelivery --------------------------------------------------------------------------------------


async def _despertar(client: Client, settings: Settings, webhook_id: int, claves: set[str]) -> None:
    """Wake the engine for every ordering key touched. Postgres already says PENDIENTE; if Temporal does
    not answer, the caller is told to retry (a redelivery is idempotent), never told it is on its way."""
    limite = asyncio.Semaphore(AVISOS_SIMULTANEOS)

    async def avisar(clave: str) -> None:
        async with limite:
            await avisar_entregas(client, settings.temporal_task_queue, webhook_id, clave)

    try:
        await asyncio.gather(*(avisar(c) for c in sorted(claves)))
    except RPCError as error:
        log.warning("delivery engine not reachable for webhook %s: %s", webhook_id, error.status)
        raise NoDisponible(
            "las entregas quedaron pendientes pero Temporal no respondió; reintente el reenvío"
        ) from None


def _activo(fila: m.Webhook) -> None:
    if not fila.activo:
        raise Conflicto(
            f"el webhook {fila.id} está inactivo ({fila.motivo_inactivo or 'sin motivo'}): actívelo antes "
            "de reenviar",
            {"campo": "activo"},
        )


# A redelivery is a fresh retry ladder (the EntregasWorkflow counts its own attempts from 1); `intentos`
# keeps counting, so the attempts already made stay in the log and new ones number after them.
_DE_NUEVO = {"estado": EstadoEntrega.PENDIENTE, "entregada_en": None}


async def reenviar_una(
    session: AsyncSession, client: Client, settings: Settings, webhook_id: int, entrega_id: int
) -> None:
    """Back to PENDIENTE whatever its state (a delivered event may be sent again on purpose)."""
    _activo(await webhook(session, webhook_id))
    entrega_, _, _ = await _fila_entrega(session, webhook_id, entrega_id, bloquear=True)
    aplicar(entrega_, _DE_NUEVO | {"proximo_intento": await _ahora(session)})
    clave = entrega_.clave
    await session.commit()
    await _despertar(client, settings, webhook_id, {clave})


async def reenviar_rango(
    session: AsyncSession,
    client: Client,
    settings: Settings,
    webhook_id: int,
    desde: datetime,
    hasta: datetime,
) -> int:
    """Every FALLIDA or DESCARTADA delivery of the subscription created in [desde, hasta) back to
    PENDIENTE; how many."""
    _activo(await webhook(session, webhook_id))
    cambio = (
        update(m.Entrega)
        .where(
            m.Entrega.webhook_id == webhook_id,
            m.Entrega.estado.in_([EstadoEntrega.FALLIDA, EstadoEntrega.DESCARTADA]),
            *_rango(desde, hasta),
        )
        .values(**_DE_NUEVO, proximo_intento=func.now())
        .returning(m.Entrega.clave)
    )
    claves = list((await session.scalars(cambio)).all())
    await session.commit()
    if claves:
        await _despertar(client, settings, webhook_id, set(claves))
    return len(claves)


# --- Ping --------------------------------------------------------------------------------------------


def cuerpo_ping(fila: m.Webhook, evento_id: str, momento: datetime) -> str:
    """A `webhook.ping` as the engine would send an event, in the subscription's format (our envelope or
    the peer's {eventType, payload}); never stored as an event."""
    evento = m.Evento(
        id=evento_id,
        tipo=TipoEvento.WEBHOOK_PING,
        fecha=momento,
        datos={"webhookId": fila.id, "mensaje": "ping de prueba de pendientes"},
    )
    return cuerpo(evento, fila.formato)


async def _leer_extracto(respuesta_http: httpx.Response) -> str:
    leido = b""
    async for trozo in respuesta_http.aiter_bytes():
        leido += trozo
        if len(leido) >= LECTURA_MAXIMA:
            break
    return leido.decode("utf-8", errors="replace")[:LARGO_EXTRACTO]


async def ping(
    session: AsyncSession, settings: Settings, cifrador: Cifrador, webhook_id: int
) -> PingResultado:
    """Send a signed `webhook.ping` now and tell what the receiver answered. A receiver that is down, slow
    or refused is an answer too (entregado false, with the error), never a failure of this endpoint."""
    fila = await webhook(session, webhook_id)
    ahora = await _ahora(session)
    firmantes = secretos(fila, cifrador, ahora)
    evento_id = f"evt_{uuid.uuid4().hex}"
    texto = cuerpo_ping(fila, evento_id, ahora)
    url = fila.url
    await session.rollback()  # no transaction held open while the receiver thinks (expires `fila`)
    inicio = time.monotonic()

    def resultado(status: int | None = None, respuesta_: str | None = None, error: str | None = None):
        latencia = round((time.monotonic() - inicio) * 1000)
        entregado = status is not None and 200 <= status < 300
        return PingResultado(
            evento_id=evento_id,
            entregado=entregado,
            status=status,
            latencia_ms=latencia,
            respuesta=respuesta_,
            error=error[:LARGO_ERROR] if error else None,
        )

    plazo = settings.webhook_timeout_segundos
    try:
        # Checked again at send time: the host may resolve elsewhere than when it was saved.
        async with asyncio.timeout(plazo):
            await direcciones_permitidas(url, settings.webhooks_a_redes_privadas)
    except DestinoProhibido as error:
        return resultado(error=f"url no permitida: {error}")
    except TimeoutError:
        return resultado(error=f"el host no resolvió en {plazo:g} s")
    # In UTC: the signing library replaces the zone with UTC instead of converting (a Lima time would
    # sign a timestamp five hours off the header's).
    envio = cabeceras(firmantes, evento_id, datetime.now(UTC), texto)
    try:
        # One deadline for the whole exchange (httpx's is per phase): a receiver that drips its answer
        # must not hold the administrator's request.
        async with (
            asyncio.timeout(plazo),
            cliente_http(settings.webhooks_a_redes_privadas, plazo) as http,
            http.stream("POST", url, content=texto.encode(), headers=envio) as r,
        ):
            extracto = await _leer_extracto(r)
            return resultado(r.status_code, extracto)
    except (httpx.TimeoutException, TimeoutError):
        return resultado(error=f"sin respuesta en {plazo:g} s")
    except httpx.HTTPError as error:
        return resultado(error=f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)
