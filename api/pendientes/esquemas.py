"""Request and response bodies with the original's camelCase field names."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.json_schema import SkipJsonSchema

from api.comun.tipos import (
    VERSION_MAXIMA,
    Camel,
    Dia,
    Dinero,
    DineroSalida,
    FechaHora,
    FechaTrabajo,
    Id,
    Limpio,
    Texto,
)
from domain.enums import (
    TIPOS_CON_RED,
    EmpresaPendiente,
    EstadoPendiente,
    EstadoSla,
    EstadoTecnico,
    LugarPendiente,
    PrioridadPendiente,
    TipoDispositivoRecojo,
    TipoInstalacion,
    TipoPendiente,
    TipoServicio,
)
from domain.etiquetas import ETIQUETAS_MAXIMAS, ModoEtiquetas


class DetalleIn(Camel):
    """A type's detail as sent on create: a name it does not have is a 422 naming it, as on edit."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class DetalleAveriaIn(DetalleIn):
    descripcion_falla: Texto | None = Field(default=None, max_length=5000)


class DetalleInternetIn(DetalleIn):
    velocidad_solicitada: Texto | None = Field(default=None, max_length=50)
    costo_fijo: Dinero | None = None
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


class EtiquetaBreve(Camel):
    id: int
    nombre: str


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
    # The resolution deadline (domain/sla.py); null for pendientes created before the SLA existed.
    estado_sla: EstadoSla | None = None
    # The deadline while the clock runs; null while it is stopped (POSTERGADO, POR_VALIDAR, closed).
    sla_vence: FechaHora | None = None
    sla_plazo_horas: float | None = None
    # Time counted against the deadline so far, as of this answer.
    sla_transcurrido_minutos: int | None = None
    # Optimistic concurrency: send it back as `If-Match` (or `version`) to act only on what you saw.
    version: int
    # Its live labels (a deleted label disappears from here), by name.
    etiquetas: list[EtiquetaBreve] = []
    # The repeating work order (/api/repetitivos) that created it, if any.
    repetitivo_id: int | None = None


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


class CancelarPersatRequest(AccionRequest):
    """The peer's cancel body: `cause` and `labels_ids` (replaces the labels, `[]` clears them, absent
    keeps them; an unknown id is reported in the answer, not refused)."""

    model_config = ConfigDict(
        extra="ignore", json_schema_extra={"example": {"cause": "Cliente desiste", "labels_ids": [1, 2]}}
    )

    labels_ids: list[int] | None = Field(
        default=None,
        max_length=ETIQUETAS_MAXIMAS,
        validation_alias=AliasChoices("labels_ids", "labelsIds", "etiquetaIds"),
    )


class EtiquetasPersatRequest(Limpio):
    """The peer's `PUT /work-orders/{id}` body: `labels_ids` replaces the labels (unknown ids ignored)."""

    labels_ids: list[int] = Field(max_length=ETIQUETAS_MAXIMAS)


class EtiquetasRequest(Camel):
    """The pendiente's labels after the change (replaces them; `[]` clears them)."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        json_schema_extra={"example": {"etiquetaIds": [1, 2]}},
    )

    etiqueta_ids: list[Id] = Field(max_length=ETIQUETAS_MAXIMAS)
    # Optimistic concurrency, like `If-Match`.
    version: int | None = Field(default=None, ge=0, le=VERSION_MAXIMA)


class CambioResponse(Camel):
    """A change found by its Idempotency-Key: it was applied, at this version."""

    idempotency_key: str
    resultado: str = "APLICADA"
    accion: str
    version: int
    estado: EstadoPendiente
    estado_tecnico: EstadoTecnico | None
    # In the API's zone like every other timestamp.
    fecha: FechaHora


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
    costo_fijo: DineroSalida | None = None
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


def _a_lista(valor: Any) -> Any:
    """Lists arrive as JSON arrays, repeated query parameters or comma-separated values."""
    if isinstance(valor, str):
        valor = [valor]
    if not isinstance(valor, list):
        return valor
    partes = [p for v in valor for p in (v.split(",") if isinstance(v, str) else [v])]
    return [p.strip() if isinstance(p, str) else p for p in partes if p != ""]


EstadosIn = Annotated[list[EstadoPendiente], BeforeValidator(_a_lista)]
EstadosTecnicoIn = Annotated[list[EstadoTecnico], BeforeValidator(_a_lista)]
TiposIn = Annotated[list[TipoPendiente], BeforeValidator(_a_lista)]
EtiquetasIn = Annotated[list[Id], BeforeValidator(_a_lista), Field(max_length=ETIQUETAS_MAXIMAS)]


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
    estado_sla: EstadoSla | None = Field(default=None, description="EN_PLAZO, EN_RIESGO o INCUMPLIDO")
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
    etiquetas: EtiquetasIn | None = Field(default=None, description="Ids de etiquetas (ver etiquetasModo)")
    etiquetas_modo: ModoEtiquetas | None = Field(
        default=None,
        description="`alguna` (defecto): lleva alguna de `etiquetas`; `todas`: las lleva todas",
    )
    repetitivo_id: Id | None = Field(
        default=None, description="Los creados por este pendiente repetitivo (/api/repetitivos)"
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


# The type a detail path names (`/api/pendientes/{id}/averia`, the original's paths).
SEGMENTOS = {
    "traslado": TipoPendiente.TRASLADO,
    "averia": TipoPendiente.AVERIA,
    "instalacion-internet": TipoPendiente.INSTALACION_INTERNET,
    "instalacion-camaras": TipoPendiente.INSTALACION_CAMARAS,
    "recojo-dispositivo": TipoPendiente.RECOJO_DISPOSITIVOS,
}
# The network-bearing ones: their PPPoE/VLAN paths (domain.enums.TIPOS_CON_RED).
SEGMENTOS_RED = {segmento: tipo for segmento, tipo in SEGMENTOS.items() if tipo in TIPOS_CON_RED}
