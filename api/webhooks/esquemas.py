"""Bodies of /api/webhooks: a subscription (where, which events, which filter, which format), the secret
answered once, the delivery log and the redelivery and ping answers. camelCase on the wire."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

from api.comun.tipos import Camel, FechaHora
from domain.enums import LugarPendiente, TipoPendiente
from domain.eventos import EstadoEntrega, Formato, TipoEvento

# Widths of the webhooks columns (db/models/eventos.py).
LARGO_URL = 2000
LARGO_DESCRIPCION = 500

# What a subscription may ask for: every event type but the ping, which only /ping sends.
SUSCRIBIBLES = tuple(t for t in TipoEvento if t is not TipoEvento.WEBHOOK_PING)


def _eventos_conocidos(valor: Any) -> Any:
    """Checked before the list's items, so an unknown type is a 422 naming `eventos` itself, with every
    unknown value and the known ones in the message."""
    if valor is None:
        return None
    if not isinstance(valor, list):
        raise ValueError("eventos es una lista de tipos de evento, o null para todos")
    if not valor:
        raise ValueError("eventos no puede ser una lista vacía: envíe null (o nada) para recibir todos")
    desconocidos = [v for v in valor if v not in SUSCRIBIBLES]
    if desconocidos:
        raise ValueError(
            f"tipos de evento desconocidos: {', '.join(map(str, desconocidos))}; "
            f"use uno de: {', '.join(SUSCRIBIBLES)}"
        )
    return list(dict.fromkeys(valor))  # one each, in the order given


Eventos = Annotated[
    list[TipoEvento] | None,
    BeforeValidator(_eventos_conocidos),
    Field(description="Tipos de evento que se envían; null o ausente: todos"),
]
Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=LARGO_URL)]
Descripcion = Annotated[str, StringConstraints(strip_whitespace=True, max_length=LARGO_DESCRIPCION)]

# A typo in a field name (`evento`, `filtros`) is refused, not silently ignored.
_CONFIG = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class Filtro(Camel):
    """Only the events of pendientes of these tipos and lugares (null or absent: any). A filter means
    "pendientes like these": an event about no pendiente (a client's) does not pass it."""

    model_config = _CONFIG

    tipos: list[TipoPendiente] | None = None
    lugares: list[LugarPendiente] | None = None


EJEMPLO = {
    "url": "https://erp.mi-isp.pe/webhooks/pendientes",
    "eventos": ["pendiente.creado", "pendiente.finalizado"],
    "filtro": {"tipos": ["INSTALACION_INTERNET"], "lugares": ["JULIACA"]},
    "descripcion": "ERP: altas de internet en Juliaca",
    "formato": "pendientes",
}


class WebhookCrear(Camel):
    model_config = _CONFIG | ConfigDict(json_schema_extra={"example": EJEMPLO})

    url: Url = Field(description="http(s); las direcciones de enlace local y de metadatos se rechazan")
    eventos: Eventos = None
    filtro: Filtro | None = None
    activo: bool = True
    descripcion: Descripcion | None = None
    formato: Formato = Field(
        Formato.PENDIENTES, description="pendientes (sobre propio) o persat ({eventType, payload})"
    )


class WebhookCambios(Camel):
    """PATCH: only the fields sent change; null on eventos means all, on filtro or descripcion clears it;
    null is refused on url, activo and formato."""

    model_config = _CONFIG | ConfigDict(json_schema_extra={"example": {"activo": True}})

    url: Url | None = None
    eventos: Eventos = None
    filtro: Filtro | None = None
    activo: bool | None = None
    descripcion: Descripcion | None = None
    formato: Formato | None = None


OBLIGATORIOS = frozenset({"url", "activo", "formato"})


class FiltroResponse(Camel):
    # Plain strings: an answer shows what is stored, even a value a later version no longer lists.
    tipos: list[str] | None
    lugares: list[str] | None


class WebhookResponse(Camel):
    id: int
    url: str
    eventos: list[str] | None = Field(description="Tipos de evento enviados; null: todos")
    filtro: FiltroResponse | None
    activo: bool
    motivo_inactivo: str | None
    descripcion: str | None
    formato: Formato
    # Since when every attempt has failed (null: the last one succeeded or nothing was sent yet).
    fallando_desde: FechaHora | None
    # Until when the previous secret still signs after a rotation (null: only one secret signs).
    anterior_vence_en: FechaHora | None
    creado_por: int | None
    fecha_creacion: FechaHora
    fecha_modificacion: FechaHora | None


class WebhookCreado(WebhookResponse):
    secreto: str = Field(description="Secreto de firma (whsec_…): se muestra solo esta vez")


class SecretoRotado(Camel):
    secreto: str = Field(description="El nuevo secreto (whsec_…): se muestra solo esta vez")
    anterior_vence_en: FechaHora | None = Field(
        description="Hasta cuándo el secreto anterior sigue firmando (junto al nuevo)"
    )


class EntregaResponse(Camel):
    id: int
    evento_id: str = Field(description="Id público del evento (evt_…), la cabecera webhook-id")
    tipo: TipoEvento
    clave: str = Field(description="Lo que llega en orden: pendiente-12, cliente-3")
    estado: EstadoEntrega
    intentos: int
    ultimo_status: int | None
    ultimo_error: str | None
    proximo_intento: FechaHora | None
    entregada_en: FechaHora | None
    fecha_creacion: FechaHora


class IntentoResponse(Camel):
    numero: int
    fecha: FechaHora
    status: int | None = Field(description="Código HTTP del receptor; null: no respondió")
    latencia_ms: int | None
    respuesta: str | None = Field(description="Comienzo de la respuesta (hasta 1000 caracteres)")
    error: str | None


class EntregaDetalle(EntregaResponse):
    historial: list[IntentoResponse] = Field(description="Cada intento, del primero al último")


class Rango(Camel):
    """A time range of delivery creation; naive times are Lima time."""

    model_config = _CONFIG

    desde: FechaHora
    hasta: FechaHora


class Reenvio(Camel):
    reenviadas: int = Field(description="Entregas vueltas a PENDIENTE")


class PingResultado(Camel):
    evento_id: str
    entregado: bool = Field(description="El receptor respondió 2xx")
    status: int | None = Field(description="Código HTTP del receptor; null: no respondió")
    latencia_ms: int
    respuesta: str | None = Field(description="Comienzo de la respuesta (hasta 1000 caracteres)")
    error: str | None = Field(description="Por qué no hubo respuesta (conexión, tiempo, URL)")
