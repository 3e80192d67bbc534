"""Request and response bodies with the original's camelCase field names."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, SecretStr
from pydantic.alias_generators import to_camel

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


# Input: naive values are Lima time. Output: always ISO-8601 with the Lima offset.
FechaHora = Annotated[
    datetime,
    BeforeValidator(_a_lima),
    PlainSerializer(lambda v: v.astimezone(LIMA).isoformat(), return_type=str),
]


# A database id: positive and within Postgres' bigint, so no id ever reaches SQL out of range.
Id = Annotated[int, Field(gt=0, le=2**63 - 1)]


class Camel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class DetalleAveriaIn(Camel):
    descripcion_falla: str | None = Field(default=None, max_length=5000)


class DetalleInternetIn(Camel):
    velocidad_solicitada: str | None = Field(default=None, max_length=50)
    costo_fijo: Decimal | None = Field(default=None, ge=0, max_digits=10, decimal_places=2)
    tipo_instalacion: TipoInstalacion | None = None


class DetalleCamarasIn(Camel):
    pass


class DetalleRecojoIn(Camel):
    dispositivo: TipoDispositivoRecojo | None = None
    motivo: str | None = Field(default=None, max_length=200)


class DetalleTrasladoIn(Camel):
    lugar_destino: LugarPendiente
    direccion_destino: str | None = Field(default=None, max_length=200)
    tipo_servicio: TipoServicio | None = None


DETALLE_POR_TIPO: dict[TipoPendiente, type[Camel]] = {
    TipoPendiente.AVERIA: DetalleAveriaIn,
    TipoPendiente.INSTALACION_INTERNET: DetalleInternetIn,
    TipoPendiente.INSTALACION_CAMARAS: DetalleCamarasIn,
    TipoPendiente.RECOJO_DISPOSITIVOS: DetalleRecojoIn,
    TipoPendiente.TRASLADO: DetalleTrasladoIn,
}


class CrearPendienteRequest(Camel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
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
    direccion: str | None = Field(default=None, max_length=200)
    fecha_pendiente: FechaHora | None = None
    # Accepted for compatibility; the registrant is the authenticated user's empleado when linked.
    registrado_por_id: Id | None = None
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


class AccionRequest(BaseModel):
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
    nueva_fecha: FechaHora | None = Field(default=None, validation_alias=AliasChoices("nuevaFecha"))
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
    version: int | None = Field(default=None, ge=0)


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
