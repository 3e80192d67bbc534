"""`/api/webhooks`: the subscriptions other systems receive events through (issue 11), their signing
secrets and rotation, the delivery log, manual redelivery and a ping. Everything needs ADMINISTRAR.

The secret is answered once (create, rotate) and never again. Deliveries run in Temporal; the
redelivery endpoints change the rows and wake the engine, answering 202. The reads and writes are in
servicio.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from temporalio.client import Client

from api.comun.deps import AdminDep, CifradorDep, SessionDep, SettingsDep
from api.comun.http import ERRORES as ERRORES_COMUNES
from api.comun.paginacion import Pagina, ParametrosPagina, parametros_pagina
from api.comun.parcial import cambios
from api.comun.respuesta import Respuesta, ok
from api.comun.tipos import FechaHora
from api.webhooks import servicio
from api.webhooks.esquemas import (
    OBLIGATORIOS,
    EntregaDetalle,
    EntregaResponse,
    PingResultado,
    Rango,
    Reenvio,
    SecretoRotado,
    WebhookCambios,
    WebhookCreado,
    WebhookCrear,
    WebhookResponse,
)
from domain.eventos import EstadoEntrega

router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])

ERRORES = ERRORES_COMUNES | {
    403: {"model": Respuesta[dict], "description": "Falta el permiso ADMINISTRAR"},
    409: {"model": Respuesta[dict], "description": "Webhook inactivo (reenvío) o secreto ilegible"},
    422: {"model": Respuesta[dict], "description": "Dato inválido o URL no permitida (data.campo)"},
}

IdWebhook = Annotated[int, Path(gt=0, le=2**63 - 1, description="Id del webhook")]
IdEntrega = Annotated[int, Path(alias="entregaId", gt=0, le=2**63 - 1, description="Id de la entrega")]


def get_temporal(request: Request) -> Client:
    return request.app.state.temporal


TemporalDep = Annotated[Client, Depends(get_temporal)]


def _filtros_entregas(
    estado: Annotated[EstadoEntrega | None, Query()] = None,
    desde: Annotated[FechaHora | None, Query(description="Creadas desde (inclusive; sin zona: Lima)")] = None,
    hasta: Annotated[FechaHora | None, Query(description="Creadas antes de (exclusive)")] = None,
) -> servicio.FiltrosEntregas:
    return servicio.FiltrosEntregas(estado, desde, hasta)


@router.get("", response_model=Respuesta[Pagina[WebhookResponse]], responses=ERRORES)
async def listar_webhooks(
    _: AdminDep, session: SessionDep, pagina: Annotated[ParametrosPagina, Depends(parametros_pagina)]
):
    """Webhooks vigentes, paginados (sort=id|url|activo|fechaCreacion,asc|desc). Sin secretos."""
    return ok(await servicio.listar(session, pagina), "Webhooks obtenidos correctamente")


@router.post("", status_code=201, response_model=Respuesta[WebhookCreado], responses=ERRORES)
async def crear_webhook(
    body: WebhookCrear, usuario: AdminDep, session: SessionDep, settings: SettingsDep, cifrador: CifradorDep
):
    """Alta de una suscripción. `data.secreto` (whsec_…) firma cada entrega y se muestra **solo en esta
    respuesta**: guárdelo. La URL se rechaza (422) si no es http(s) o apunta a una dirección de enlace
    local, de metadatos, o privada cuando la instalación no las permite."""
    fila, secreto = await servicio.crear(session, settings, cifrador, usuario.id, dict(body))
    creado = WebhookCreado(**servicio.respuesta(fila).model_dump(), secreto=secreto)
    return ok(creado, "Webhook creado; guarde el secreto: no se volverá a mostrar", 201)


@router.get("/{id}", response_model=Respuesta[WebhookResponse], responses=ERRORES)
async def obtener_webhook(id: IdWebhook, _: AdminDep, session: SessionDep):
    return ok(await servicio.leer(session, id), "Webhook obtenido correctamente")


@router.patch("/{id}", response_model=Respuesta[WebhookResponse], responses=ERRORES)
async def editar_webhook(
    id: IdWebhook, body: WebhookCambios, _: AdminDep, session: SessionDep, settings: SettingsDep
):
    """Cambio parcial. `activo: true` reactiva un webhook desactivado (por fallos o a mano) y borra su
    motivo; `eventos: null` vuelve a recibirlos todos; `filtro: null` quita el filtro."""
    webhook = await servicio.editar(session, settings, id, cambios(body, OBLIGATORIOS))
    return ok(webhook, "Webhook actualizado correctamente")


@router.delete("/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_webhook(id: IdWebhook, _: AdminDep, session: SessionDep):
    """Baja lógica; sus entregas pendientes se descartan (DESCARTADA)."""
    await servicio.eliminar(session, id)
    return ok(None, "Webhook eliminado correctamente")


@router.post("/{id}/rotar-secreto", response_model=Respuesta[SecretoRotado], responses=ERRORES)
async def rotar_secreto(
    id: IdWebhook, _: AdminDep, session: SessionDep, settings: SettingsDep, cifrador: CifradorDep
):
    """Un secreto nuevo, mostrado solo aquí. El anterior sigue firmando, junto al nuevo (dos `v1,` en
    `webhook-signature`), hasta `anteriorVenceEn`."""
    secreto, vence = await servicio.rotar(session, settings, cifrador, id)
    rotado = SecretoRotado(secreto=secreto, anterior_vence_en=vence)
    return ok(rotado, "Secreto rotado; guarde el nuevo: no se volverá a mostrar")


@router.get("/{id}/entregas", response_model=Respuesta[Pagina[EntregaResponse]], responses=ERRORES)
async def listar_entregas(
    id: IdWebhook,
    _: AdminDep,
    session: SessionDep,
    pagina: Annotated[ParametrosPagina, Depends(parametros_pagina)],
    filtros: Annotated[servicio.FiltrosEntregas, Depends(_filtros_entregas)],
):
    """Registro de entregas, de la más reciente a la más antigua (sort=id|estado|fechaCreacion|
    proximoIntento,asc|desc); filtra por `estado` y por fecha de creación (`desde`, `hasta`)."""
    datos = await servicio.entregas(session, id, filtros, pagina)
    return ok(datos, "Entregas obtenidas correctamente")


@router.get("/{id}/entregas/{entregaId}", response_model=Respuesta[EntregaDetalle], responses=ERRORES)
async def obtener_entrega(id: IdWebhook, entrega_id: IdEntrega, _: AdminDep, session: SessionDep):
    """Una entrega con cada intento: fecha, status, latencia, comienzo de la respuesta o error."""
    return ok(await servicio.entrega(session, id, entrega_id), "Entrega obtenida correctamente")


@router.post(
    "/{id}/entregas/{entregaId}/reenviar",
    status_code=202,
    response_model=Respuesta[Reenvio],
    responses=ERRORES,
)
async def reenviar_entrega(
    id: IdWebhook,
    entrega_id: IdEntrega,
    _: AdminDep,
    session: SessionDep,
    settings: SettingsDep,
    temporal: TemporalDep,
):
    """Vuelve a enviar una entrega, en cualquier estado (también una ya entregada): pasa a PENDIENTE con
    una escalera de reintentos nueva; los intentos anteriores quedan en su historial."""
    await servicio.reenviar_una(session, temporal, settings, id, entrega_id)
    return ok(Reenvio(reenviadas=1), "Entrega reenviada: se enviará en breve", 202)


@router.post("/{id}/reenviar", status_code=202, response_model=Respuesta[Reenvio], responses=ERRORES)
async def reenviar_rango(
    id: IdWebhook, body: Rango, _: AdminDep, session: SessionDep, settings: SettingsDep, temporal: TemporalDep
):
    """Vuelve a enviar cada entrega FALLIDA o DESCARTADA de este webhook creada en [desde, hasta)."""
    n = await servicio.reenviar_rango(session, temporal, settings, id, body.desde, body.hasta)
    return ok(Reenvio(reenviadas=n), f"{n} entregas reenviadas", 202)


@router.post("/{id}/ping", response_model=Respuesta[PingResultado], responses=ERRORES)
async def ping_webhook(
    id: IdWebhook, _: AdminDep, session: SessionDep, settings: SettingsDep, cifrador: CifradorDep
):
    """Envía ahora un evento `webhook.ping` firmado y responde lo que contestó el receptor (status,
    latencia, comienzo de la respuesta) o por qué no contestó: un receptor caído no es un error aquí."""
    resultado = await servicio.ping(session, settings, cifrador, id)
    mensaje = "El receptor respondió" if resultado.status is not None else "El receptor no respondió"
    return ok(resultado, mensaje)
