"""Messages exchanged between the API, the workflow and the activities (Pydantic, pure)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.acciones import Accion, Actor, Situacion
from domain.enums import (
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
from domain.etiquetas import ETIQUETAS_MAXIMAS
from domain.permisos import Permiso
from domain.sla import PLAZOS_POR_DEFECTO, RelojSla, segundos


class ActorMsg(BaseModel):
    """The authenticated caller as the workflow needs it to re-check a rule."""

    model_config = ConfigDict(frozen=True)

    usuario_id: int | None = None
    empleado_id: int | None = None
    nombre: str = "sistema"
    permisos: frozenset[Permiso] = frozenset()

    def canonico(self) -> str:
        """The same text on both sides of a signature, whatever the order of the permission set."""
        permisos = ",".join(sorted(p.value for p in self.permisos))
        return f"{self.usuario_id}|{self.empleado_id}|{self.nombre}|{permisos}"

    def a_dominio(self) -> Actor:
        return Actor(
            empleado_id=self.empleado_id,
            permisos=self.permisos,
            usuario_id=self.usuario_id,
            nombre=self.nombre,
        )


SISTEMA = ActorMsg(nombre="sistema", permisos=frozenset(Permiso))


class DatosPendiente(BaseModel):
    """The fields a pendiente is created with (validated by the API before the workflow starts)."""

    cliente_id: int
    registrado_por: int
    tipo: TipoPendiente
    lugar: LugarPendiente
    prioridad: PrioridadPendiente
    empresa: EmpresaPendiente | None = None
    direccion: str | None = None
    fecha_pendiente: datetime | None = None
    # Type-detail fields in column names (e.g. descripcion_falla); no secrets ever travel here.
    detalle: dict[str, object] | None = None
    # The repeating work order (template) that created it, if any.
    repetitivo_id: int | None = None


class ConfigFlujo(BaseModel):
    """Settings fixed when the workflow starts (they travel with it through continue-as-new)."""

    retencion_cancelado: timedelta = timedelta(days=30)
    # Continue as new past this many history events (Temporal also suggests it on its own). An action on
    # a workflow out of the worker's cache first replays its history, ~0.7 ms of CPU per event (README
    # "Memory and cache"): 500 events (about 55 actions) keep that under ~8 cached actions' cost.
    limite_historia: int = Field(default=500, ge=20)
    # Resolution deadline per priority, in seconds (domain/sla.py). The deadline a pendiente was promised
    # with stays its own when the setting changes later.
    sla_plazos: dict[PrioridadPendiente, int] = {p: segundos(t) for p, t in PLAZOS_POR_DEFECTO.items()}


class InicioPendiente(BaseModel):
    """Workflow input. `vivo` and `resultados` are set only when the workflow continues as new."""

    pendiente_id: int
    datos: DatosPendiente
    actor: ActorMsg
    # The API's signature of the actor (see Cambio.firma): the worker writes nothing it cannot verify.
    firma: str | None = None
    config: ConfigFlujo = ConfigFlujo()
    vivo: EstadoVivo | None = None
    resultados: dict[str, EstadoVivo] = {}
    # Fingerprint of the request behind each remembered key (a key reused for another request is refused).
    huellas: dict[str, str] = {}
    # The clock the workflow starts the new pendiente with (set by the workflow for the insert).
    sla: RelojSla | None = None


class EstadoVivo(BaseModel):
    """The live lifecycle state the workflow owns (query result, update result)."""

    pendiente_id: int
    estado: EstadoPendiente = EstadoPendiente.REGISTRADO
    estado_tecnico: EstadoTecnico = EstadoTecnico.OK
    tipo: TipoPendiente
    asignado_a: int | None = None
    fecha_pendiente: datetime | None = None
    vencido: bool = False
    pppoe_configurado: bool = False
    vlan_configurada: bool = False
    tiene_detalle: bool = False
    cancelado_en: datetime | None = None
    # Ids of the pendiente's labels, sorted (a default: histories recorded before labels replay).
    etiquetas: list[int] = []
    # The resolution clock; None for pendientes created before the SLA existed (their histories replay).
    sla: RelojSla | None = None
    # Number of historial entries the workflow wrote; each write's idempotency key is (pendiente_id, seq).
    # It is also the pendiente's version for optimistic concurrency (If-Match).
    seq: int = 0

    def situacion(self) -> Situacion:
        return Situacion(
            estado=self.estado,
            estado_tecnico=self.estado_tecnico,
            tipo=self.tipo,
            asignado_a=self.asignado_a,
            pppoe_configurado=self.pppoe_configurado,
            vlan_configurada=self.vlan_configurada,
            tiene_detalle=self.tiene_detalle,
        )


class OrdenAccion(BaseModel):
    """An action request: who asks and the data the action needs."""

    actor: ActorMsg
    # Idempotency key: the same key is applied once and answers the same result.
    clave: str | None = Field(default=None, max_length=300)
    # Optimistic concurrency: refuse if the pendiente is no longer at this version (seq).
    version: int | None = None
    tecnico_id: int | None = None
    motivo: str | None = Field(default=None, max_length=500)
    nueva_fecha: datetime | None = None
    vlan: int | None = Field(default=None, ge=1, le=4094)
    pppoe_usuario: str | None = Field(default=None, max_length=100)
    # Ciphertext only (Fernet): the clear password never enters workflow history.
    pppoe_password_cifrado: str | None = None
    # The peer-style cancel's `labels_ids`: the labels after the change (None keeps them, [] clears).
    etiquetas: list[int] | None = Field(default=None, max_length=ETIQUETAS_MAXIMAS)
    firma: str | None = None


class OrdenEtiquetas(BaseModel):
    """Change a pendiente's labels: `etiquetas` replaces them all (None keeps them), then `agregar` and
    `quitar` apply. The workflow computes the final list on its current state, so two people adding
    one label each at once both get theirs (no read-modify-write race as with the peer)."""

    actor: ActorMsg
    etiquetas: list[int] | None = Field(default=None, max_length=ETIQUETAS_MAXIMAS)
    agregar: list[int] = Field(default=[], max_length=ETIQUETAS_MAXIMAS)
    quitar: list[int] = Field(default=[], max_length=ETIQUETAS_MAXIMAS)
    clave: str | None = Field(default=None, max_length=300)
    version: int | None = None
    firma: str | None = None

    def aplicada_a(self, actuales: list[int]) -> list[int]:
        base = set(actuales if self.etiquetas is None else self.etiquetas)
        return sorted((base | set(self.agregar)) - set(self.quitar))


class Edicion(BaseModel):
    """New values of editable header fields; only those named in `campos` apply (None clears)."""

    campos: list[str]
    direccion: str | None = Field(default=None, max_length=200)
    prioridad: PrioridadPendiente | None = None
    lugar: LugarPendiente | None = None
    empresa: EmpresaPendiente | None = None
    fecha_pendiente: datetime | None = None
    cliente_id: int | None = None

    def valores(self) -> dict[str, object]:
        return {campo: getattr(self, campo) for campo in self.campos}


class OrdenEdicion(BaseModel):
    actor: ActorMsg
    edicion: Edicion
    clave: str | None = Field(default=None, max_length=300)
    version: int | None = None
    firma: str | None = None


class Detalle(BaseModel):
    """Type-detail values (column names); only those named in `campos` apply (None clears)."""

    campos: list[str]
    descripcion_falla: str | None = Field(default=None, max_length=5000)
    velocidad_solicitada: str | None = Field(default=None, max_length=50)
    costo_fijo: Decimal | None = Field(default=None, ge=0, max_digits=10, decimal_places=2)
    tipo_instalacion: TipoInstalacion | None = None
    dispositivo: TipoDispositivoRecojo | None = None
    motivo: str | None = Field(default=None, max_length=200)
    lugar_destino: LugarPendiente | None = None
    direccion_destino: str | None = Field(default=None, max_length=200)
    tipo_servicio: TipoServicio | None = None

    def valores(self) -> dict[str, object]:
        return {campo: getattr(self, campo) for campo in self.campos}


class OrdenDetalle(BaseModel):
    """Create (`crear`) or partially update the type detail."""

    actor: ActorMsg
    detalle: Detalle
    crear: bool
    clave: str | None = Field(default=None, max_length=300)
    version: int | None = None
    firma: str | None = None


class OrigenCambio(StrEnum):
    UPDATE = "update"
    SENAL = "senal"
    SISTEMA = "sistema"


class Cambio(BaseModel):
    """One accepted lifecycle change, persisted by an activity in one transaction."""

    pendiente_id: int
    seq: int
    # What identifies the change beyond its seq: the update's key (or a system/signal id), and a
    # fingerprint of what was asked. A seq held by a different change means Postgres is ahead.
    cambio_id: str | None = None
    huella: str | None = None
    # Who asked is trusted only when the workflow itself decided it (a timer, a signal whose actor it
    # re-read from Postgres) or when the API signed it: an update's payload alone proves nothing.
    origen: OrigenCambio = OrigenCambio.UPDATE
    firma: str | None = None
    accion: str
    actor: ActorMsg
    antes: EstadoVivo
    despues: EstadoVivo
    detalles: str | None = None
    vlan: int | None = None
    pppoe_usuario: str | None = None
    pppoe_password_cifrado: str | None = None
    # Header fields edited (column -> new value), and whether the pendiente is deleted by this change.
    edicion: Edicion | None = None
    eliminar: bool = False
    detalle: Detalle | None = None
    crear_detalle: bool = False
    # The pendiente's label ids after this change (None: this change does not touch them).
    etiquetas: list[int] | None = None


class ResultadoCambio(BaseModel):
    """What the persistence activity found. `aplicado` with no `vivo`: written as asked. Otherwise
    `vivo` (and `datos`) is the committed record the workflow must adopt: the same change was already
    committed (aplicado), or a different change holds that seq (not aplicado: re-check and retry)."""

    aplicado: bool
    vivo: EstadoVivo | None = None
    datos: DatosPendiente | None = None
    eliminado: bool = False
    # Keys of the changes committed after the workflow's own seq, so their retries answer once.
    claves: list[str] = []
    # Names of the pendiente's labels when this change set them (or in a committed record), for the
    # `Etiquetas` search attribute; None: labels untouched.
    nombres_etiquetas: list[str] | None = None


# Fields that describe who sends a request or how it travels, not what is asked: a retry with the
# same key may carry a new token, a fresh ciphertext of the same password or a new signature.
_FUERA_DE_HUELLA = {"actor", "clave", "pppoe_password_cifrado", "firma"}
# Fields added to an existing request after it shipped: left out while unset, so a request sent before
# keeps its fingerprint (a retry across the upgrade is still recognised as the same request).
_NUEVOS = {"etiquetas"}


def huella_orden(nombre: str, orden: BaseModel) -> str:
    """Fingerprint of one request (update name + its data), to tell a retry from a reused key."""
    excluir = _FUERA_DE_HUELLA & set(type(orden).model_fields)
    if not isinstance(orden, OrdenEtiquetas):
        excluir |= {c for c in _NUEVOS & set(type(orden).model_fields) if getattr(orden, c) is None}
    cuerpo = orden.model_dump_json(exclude=excluir)
    return hashlib.sha256(f"{nombre}|{cuerpo}".encode()).hexdigest()[:32]


class TipoHallazgo(StrEnum):
    """What the reconciler can find between a pendiente's row and its workflow."""

    DESFASE = "desfase"  # both exist and disagree (state, version, flags or the UI's search attributes)
    SIN_FLUJO = "sin_flujo"  # an open row whose workflow is not running
    FLUJO_HUERFANO = "flujo_huerfano"  # a running workflow whose row was deleted
    NO_VERIFICABLE = "no_verificable"  # the workflow did not answer (e.g. no worker polls its queue)


class Hallazgo(BaseModel):
    pendiente_id: int
    tipo: TipoHallazgo
    detalle: str
    reparado: bool = False


class InformeReconciliacion(BaseModel):
    revisados: int
    hallazgos: list[Hallazgo] = []

    def resumen(self) -> str:
        reparados = sum(h.reparado for h in self.hallazgos)
        return f"{self.revisados} revisados · {len(self.hallazgos)} con deriva · {reparados} reparados"


class AccionesDisponibles(BaseModel):
    estado: EstadoPendiente
    estado_tecnico: EstadoTecnico
    acciones: list[Accion]


InicioPendiente.model_rebuild()
ResultadoCambio.model_rebuild()
