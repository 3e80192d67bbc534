"""Request and response bodies with the original's camelCase field names."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.json_schema import SkipJsonSchema

from pendientes.domain.enums import (
    EmpresaPendiente,
    EstadoPendiente,
    EstadoTecnico,
    LugarPendiente,
    PrioridadPendiente,
    TipoDispositivoRecojo,
    TipoInstalacion,
    TipoPendiente,
    TipoServicio,
)

LIMA = ZoneInfo("America/Lima")


def _a_lima(valor: Any) -> Any:
    """Accept a datetime with or without offset (no offset = Lima time) or a plain date."""
    if isinstance(valor, str) and len(valor) == 10:
        try:
            valor = date.fromisoformat(valor)
        except ValueError:
            return valor
    if isinstance(valor, date) and not isinstance(valor, datetime):
        return datetime.combine(valor, time.min, LIMA)
    if isinstance(valor, str):
        try:
            valor = datetime.fromisoformat(valor)
        except ValueError:
            return valor  # pydantic reports it, naming the field
    if isinstance(valor, datetime) and valor.tzinfo is None:
        return valor.replace(tzinfo=LIMA)
    return valor


# Work is scheduled in this life: far-off years are typos, and near year 1 or 9999 an offset overflows.
ANIO_MINIMO, ANIO_MAXIMO = 1900, 2999
# A field-work date (fechaPendiente, nuevaFecha) starts in 2000: before 1908 Lima's offset is local mean
# time (-05:08:12), which Temporal's search attributes refuse and a round trip shifts by seconds; from
# 2000 on (tzdata) Lima is always -05:00.
ANIO_MINIMO_TRABAJO = 2000


def _anio_razonable(valor: date) -> date:
    if not ANIO_MINIMO <= valor.year <= ANIO_MAXIMO:
        raise ValueError(f"el año debe estar entre {ANIO_MINIMO} y {ANIO_MAXIMO}")
    return valor


def _anio_de_trabajo(valor: datetime) -> datetime:
    if valor.astimezone(LIMA).year < ANIO_MINIMO_TRABAJO:
        raise ValueError(f"la fecha debe ser del año {ANIO_MINIMO_TRABAJO} o posterior")
    return valor


# Input: naive values are Lima time. Output: always ISO-8601 with the Lima offset.
FechaHora = Annotated[
    datetime,
    BeforeValidator(_a_lima),
    AfterValidator(_anio_razonable),
    PlainSerializer(lambda v: v.astimezone(LIMA).isoformat(), return_type=str),
]


# A date of field work the workflow schedules and shows in Temporal (see ANIO_MINIMO_TRABAJO).
FechaTrabajo = Annotated[FechaHora, AfterValidator(_anio_de_trabajo)]

# Characters no text column or payload can hold: NUL (Postgres text refuses it) and a lone UTF-16
# surrogate (JSON's "\\ud800" parses to one, and it cannot be encoded as UTF-8 for Postgres or Temporal).
_NO_GUARDABLE = re.compile("[\x00\ud800-\udfff]")


def guardable(valor: Any) -> Any:
    """Refuse a text (or a list of texts) with a character that cannot be stored. Dicts are left to
    the nested model that validates them, so its error names the inner field."""
    if isinstance(valor, str) and _NO_GUARDABLE.search(valor):
        raise ValueError("contiene un carácter que no se puede guardar (NUL o un sustituto UTF-16 suelto)")
    if isinstance(valor, list | tuple):
        for elemento in valor:
            guardable(elemento)
    return valor


# Free text that Postgres can store: refused here, it never reaches a workflow's state.
Texto = Annotated[str, AfterValidator(guardable)]

# A database id: positive and within Postgres' bigint, so no id ever reaches SQL out of range.
Id = Annotated[int, Field(gt=0, le=2**63 - 1)]
# A pendiente's version (its change count, an integer column): a bigger number is a client's mistake.
VERSION_MAXIMA = 2**31 - 1


class Limpio(BaseModel):
    """A body whose every text field is storable: checked once here for all fields, so the 422 names
    the field whatever model it belongs to."""

    @field_validator("*", mode="before")
    @classmethod
    def _guardable(cls, valor: Any) -> Any:
        return guardable(valor)


class Camel(Limpio):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class DetalleIn(Camel):
    """A type's detail as sent on create: a name it does not have is a 422 naming it, as on edit."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class DetalleAveriaIn(DetalleIn):
    descripcion_falla: Texto | None = Field(default=None, max_length=5000)


class DetalleInternetIn(DetalleIn):
    velocidad_solicitada: Texto | None = Field(default=None, max_length=50)
    costo_fijo: Decimal | None = Field(default=None, ge=0, max_digits=10, decimal_places=2)
    tipo_instalacion: TipoInstalacion | None = None


class DetalleCamarasIn(DetalleIn):
    pass


class DetalleRecojoIn(DetalleIn):
    dispositivo: TipoDispositivoRecojo | None = None
    motivo: Texto | None = Field(default=None, max_length=200)


class DetalleTrasladoIn(DetalleIn):
    lugar_destino: LugarPendiente
    direccion_destino: Texto | None = Field(default=None, max_length=200)
    tipo_servicio: TipoServicio | None = None


DETALLE_POR_TIPO: dict[TipoPendiente, type[DetalleIn]] = {
    TipoPendiente.AVERIA: DetalleAveriaIn,
    TipoPendiente.INSTALACION_INTERNET: DetalleInternetIn,
    TipoPendiente.INSTALACION_CAMARAS: DetalleCamarasIn,
    TipoPendiente.RECOJO_DISPOSITIVOS: DetalleRecojoIn,
    TipoPendiente.TRASLADO: DetalleTrasladoIn,
}


class CrearPendienteRequest(Camel):
    """A name the create body does not have is a 422 naming it (a typo is never dropped silently)."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        json_schema_extra={
            "example": {
                "clienteId": 1,
                "tipo": "AVERIA",
                "lugar": "JULIACA",
                "prioridad": "URGENTE",
                "empresa": "SIMAX",
                "direccion": "Jr. Moquegua 311, Juliaca",
                "fechaPendiente": "2026-12-01T09:00:00",
                "detalle": {"descripcionFalla": "Cliente sin servicio desde las 08:00"},
            }
        },
    )

    cliente_id: Id
    tipo: TipoPendiente
    lugar: LugarPendiente
    prioridad: PrioridadPendiente
    empresa: EmpresaPendiente | None = None
    direccion: Texto | None = Field(default=None, max_length=200)
    fecha_pendiente: FechaTrabajo | None = None
    # Accepted for compatibility; the registrant is the authenticated user's empleado when linked.
    registrado_por_id: Id | None = None
    # The original's create body carried it and ignored it: still accepted, still ignored (assigning
    # is an action).
    asignado_a_id: SkipJsonSchema[Id | None] = None
    # The create body cannot choose the lifecycle: only the initial values are accepted.
    estado: EstadoPendiente | None = None
    estado_tecnico: EstadoTecnico | None = None
    detalle: dict[str, Any] | None = None


class PendienteResponse(Camel):
    id: int
    fecha_creacion: FechaHora
    fecha_pendiente: FechaHora | None
    id_empleado_registro: int
    registrado_por: str
    id_empleado_asignado: int | None
    asignado_a: str | None
    estado: EstadoPendiente
    estado_tecnico: EstadoTecnico
    empresa: EmpresaPendiente | None
    lugar: LugarPendiente
    prioridad: PrioridadPendiente
    tipo: TipoPendiente
    direccion: str | None
    id_cliente: int
    cliente: str
    cod_cliente: str | None
    celular_cliente: str | None
    vencido: bool
    # Optimistic concurrency: send it back as `If-Match` (or `version`) to act only on what you saw.
    version: int


class AccionRequest(Limpio):
    """Data an action may need; which fields each action requires is domain data (DATOS_REQUERIDOS).
    Old spellings are accepted (idAsignado, ppoeUser, ppoePassword, cause)."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={"example": {"tecnicoId": 6, "motivo": "Cliente confirma visita"}},
    )

    tecnico_id: Id | None = Field(
        default=None, validation_alias=AliasChoices("tecnicoId", "idAsignado", "asignadoAId", "empleadoId")
    )
    motivo: str | None = Field(
        default=None, max_length=500, validation_alias=AliasChoices("motivo", "cause", "causa")
    )
    nueva_fecha: FechaTrabajo | None = Field(default=None, validation_alias=AliasChoices("nuevaFecha"))
    vlan: int | None = Field(default=None, ge=1, le=4094)
    pppoe_usuario: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        validation_alias=AliasChoices("pppoeUser", "ppoeUser", "pppoeUsuario"),
    )
    pppoe_password: SecretStr | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        validation_alias=AliasChoices("pppoePassword", "ppoePassword"),
    )
    version: int | None = Field(default=None, ge=0, le=VERSION_MAXIMA)


class CambioResponse(Camel):
    """A change found by its Idempotency-Key: it was applied, at this version."""

    idempotency_key: str
    resultado: str = "APLICADA"
    accion: str
    version: int
    estado: EstadoPendiente
    estado_tecnico: EstadoTecnico | None
    fecha: datetime


class AccionesResponse(Camel):
    id: int
    estado: EstadoPendiente
    estado_tecnico: EstadoTecnico
    version: int
    acciones: list[str]


class DetalleResponse(Camel):
    """One shape for every type: the fields a type does not have are null. The PPPoE password is
    shown only to CONFIGURAR_PPPOE holders and the assigned technician; others see it masked."""

    id: int
    pendiente_id: int
    tipo: TipoPendiente
    descripcion_falla: str | None = None
    velocidad_solicitada: str | None = None
    costo_fijo: Decimal | None = None
    tipo_instalacion: TipoInstalacion | None = None
    dispositivo: TipoDispositivoRecojo | None = None
    motivo: str | None = None
    lugar_destino: LugarPendiente | None = None
    direccion_destino: str | None = None
    tipo_servicio: TipoServicio | None = None
    vlan: int | None = None
    ppoe: str | None = None
    ppoe_password: str | None = None


# -- Listing and editing pendientes ------------------------------------------------------------------


def _a_dia(valor: Any) -> Any:
    """A Lima calendar day from a date, or from a datetime (naive = Lima; with offset: converted)."""
    if isinstance(valor, str) and len(valor) > 10:
        try:
            valor = datetime.fromisoformat(valor)
        except ValueError:
            return valor
    if isinstance(valor, datetime):
        try:
            return (valor.astimezone(LIMA) if valor.tzinfo else valor).date()
        except OverflowError:
            return valor.date()  # year 1 or 9999: refused by the year check
    return valor


def _a_lista(valor: Any) -> Any:
    """Lists arrive as JSON arrays, repeated query parameters or comma-separated values."""
    if isinstance(valor, str):
        valor = [valor]
    if not isinstance(valor, list):
        return valor
    partes = [p for v in valor for p in (v.split(",") if isinstance(v, str) else [v])]
    return [p.strip() if isinstance(p, str) else p for p in partes if p != ""]


Dia = Annotated[date, BeforeValidator(_a_dia), AfterValidator(_anio_razonable)]
EstadosIn = Annotated[list[EstadoPendiente], BeforeValidator(_a_lista)]
EstadosTecnicoIn = Annotated[list[EstadoTecnico], BeforeValidator(_a_lista)]
TiposIn = Annotated[list[TipoPendiente], BeforeValidator(_a_lista)]


class FiltroPendienteRequest(Camel):
    """Filters of the pendiente list, all optional and combined with AND. Unknown names are a 422, so a
    misspelt filter never silently returns everything."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        json_schema_extra={
            "example": {
                "estados": ["REGISTRADO", "ASIGNADO"],
                "lugar": "JULIACA",
                "fechaDesde": "2026-12-01",
                "fechaHasta": "2026-12-31",
                "texto": "quispe",
            }
        },
    )

    cliente_id: Id | None = None
    usuario_id: Id | None = Field(
        default=None, description="Id de USUARIO: los pendientes que su empleado registró o tiene asignados"
    )
    asignado_a_id: Id | None = Field(default=None, description="Id del empleado técnico")
    registrado_por_id: Id | None = Field(default=None, description="Id del empleado que registró")
    estados: EstadosIn | None = None
    estados_tecnico: EstadosTecnicoIn | None = None
    tipo: TipoPendiente | None = None
    tipos: TiposIn | None = None
    prioridad: PrioridadPendiente | None = None
    lugar: LugarPendiente | None = None
    empresa: EmpresaPendiente | None = None
    vencido: bool | None = None
    fecha_desde: Dia | None = Field(
        default=None, description="fechaPendiente desde este día (Lima), inclusive"
    )
    fecha_hasta: Dia | None = Field(
        default=None, description="fechaPendiente hasta este día (Lima), inclusive"
    )
    fecha_pendiente: Dia | None = Field(
        default=None, description="Compatibilidad: el día (Lima) de esta fecha, no el instante exacto"
    )
    texto: Texto | None = Field(
        default=None,
        max_length=100,
        validation_alias=AliasChoices("texto", "titulo"),
        description="Busca (sin distinguir mayúsculas) en nombre, código y documento del cliente y en las "
        "direcciones; `titulo` es su alias antiguo",
    )

    @model_validator(mode="before")
    @classmethod
    def _vacios_son_nulos(cls, datos: Any) -> Any:
        # Old forms send "" for a filter left blank.
        if isinstance(datos, dict):
            return {k: None if v == "" else v for k, v in datos.items()}
        return datos


class FiltrosResponse(Camel):
    """The enum values a UI needs to build its filters and forms."""

    estados: list[EstadoPendiente]
    tipos: list[TipoPendiente]
    estados_tecnico: list[EstadoTecnico]
    prioridades: list[PrioridadPendiente]
    lugares: list[LugarPendiente]
    empresas: list[EmpresaPendiente]
    tipos_instalacion: list[TipoInstalacion]
    tipos_servicio: list[TipoServicio]
    dispositivos: list[TipoDispositivoRecojo]


class EditarPendienteRequest(Camel):
    """Partial edit of the header: only the fields sent change, an explicit null clears a nullable one.
    Any other name is a 422 naming it (lifecycle fields change only through actions)."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        json_schema_extra={"example": {"prioridad": "MUY_URGENTE", "direccion": "Jr. Moquegua 311, Juliaca"}},
    )

    direccion: Texto | None = Field(default=None, max_length=200)
    prioridad: PrioridadPendiente | None = None
    lugar: LugarPendiente | None = None
    empresa: EmpresaPendiente | None = None
    fecha_pendiente: FechaTrabajo | None = None
    cliente_id: Id | None = None
    # Optimistic concurrency, like `If-Match`.
    version: int | None = Field(default=None, ge=0, le=VERSION_MAXIMA)


class DetalleRequest(DetalleAveriaIn, DetalleInternetIn, DetalleRecojoIn, DetalleTrasladoIn):
    """Writes of a type detail: the fields of the pendiente's type (others sent with a value are a 422).
    The read-only fields of DetalleResponse are accepted, so what a client read can be sent back as is;
    the network values (vlan, PPPoE) change only through their own paths: sent unchanged (or masked)
    they are ignored, a different value is a 422 pointing to that path."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    pendiente_id: Id | None = None
    # Required only to create a traslado (checked per type).
    lugar_destino: LugarPendiente | None = None
    id: SkipJsonSchema[Any] = Field(default=None, exclude=True)
    tipo: SkipJsonSchema[Any] = Field(default=None, exclude=True)
    vlan: SkipJsonSchema[Any] = Field(default=None, exclude=True)
    ppoe: SkipJsonSchema[Any] = Field(default=None, exclude=True)
    ppoe_user: SkipJsonSchema[Any] = Field(default=None, exclude=True)
    ppoe_password: SkipJsonSchema[Any] = Field(default=None, exclude=True)
    pppoe_user: SkipJsonSchema[Any] = Field(default=None, exclude=True)
    pppoe_password: SkipJsonSchema[Any] = Field(default=None, exclude=True)


class DetalleConPendienteRequest(DetalleRequest):
    """The original's form: the pendiente named in the body."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        json_schema_extra={
            "example": {"pendienteId": 42, "lugarDestino": "JULIACA", "tipoServicio": "INTERNET_FIBRA"}
        },
    )

    pendiente_id: Id


# Network fields of DetalleRequest -> the DetalleResponse field that shows their current value.
CAMPOS_RED = {
    "vlan": "vlan",
    "ppoe": "ppoe",
    "ppoe_user": "ppoe",
    "pppoe_user": "ppoe",
    "ppoe_password": "ppoe_password",
    "pppoe_password": "ppoe_password",
}
# DetalleRequest fields that are not detail values.
CAMPOS_NO_DETALLE = frozenset({"pendiente_id", "id", "tipo", *CAMPOS_RED})
