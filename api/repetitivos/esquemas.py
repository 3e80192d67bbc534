"""Bodies of /api/repetitivos: a template of a pendiente (as `POST /api/pendientes` takes it, plus a
name and an optional technician) and its calendar rule (domain/repetitivos.py). Unknown names are a
422 naming them; the rule's cross-field checks name `regla.<campo>`."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Any

from pydantic import ConfigDict, Field, PlainSerializer, StringConstraints
from pydantic.alias_generators import to_camel

from api.comun.tipos import Camel, Dia, FechaHora, Id, Texto
from domain.enums import EmpresaPendiente, LugarPendiente, PrioridadPendiente, TipoPendiente
from domain.repetitivos import DiaSemana, Frecuencia

Nombre = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
# "HH:MM" out; in, anything Pydantic reads as a time ("09:00", "09:00:00").
Hora = Annotated[time, PlainSerializer(lambda v: v.strftime("%H:%M"), return_type=str)]
Nota = Annotated[Texto, StringConstraints(strip_whitespace=True, max_length=500)]

EJEMPLO_REGLA = {
    "frecuencia": "MENSUAL",
    "diasMes": [5],
    "hora": "09:00",
    "fechaInicio": "2026-12-01",
    "fechaFin": None,
}
EJEMPLO = {
    "nombre": "Mantenimiento mensual de cámaras",
    "tipo": "INSTALACION_CAMARAS",
    "clienteId": 3,
    "prioridad": "MEDIA",
    "lugar": "PUNO",
    "empresa": "SIMAX",
    "direccion": "Jr. Arequipa 880, Puno",
    "tecnicoId": 6,
    "regla": EJEMPLO_REGLA,
}


class ReglaIn(Camel):
    """DIARIA: every `cada` days. SEMANAL: every `cada` weeks on `diasSemana`. MENSUAL: every month on
    `diasMes` (a day a month lacks is skipped that month). At `hora`, Lima time, from `fechaInicio`
    to `fechaFin` (inclusive; none: forever)."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        json_schema_extra={"example": EJEMPLO_REGLA},
    )

    frecuencia: Frecuencia
    cada: int = Field(default=1, ge=1, le=365, description="Cada cuántos días (DIARIA) o semanas (SEMANAL)")
    dias_semana: list[DiaSemana] = Field(default=[], max_length=7)
    dias_mes: list[Annotated[int, Field(ge=1, le=31)]] = Field(default=[], max_length=31)
    hora: time = Field(description="HH:MM, hora de Lima")
    fecha_inicio: Dia
    fecha_fin: Dia | None = None


class RepetitivoCrear(Camel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        json_schema_extra={"example": EJEMPLO},
    )

    nombre: Nombre
    tipo: TipoPendiente
    cliente_id: Id
    # The type's detail as POST /api/pendientes takes it (camelCase); validated against `tipo`.
    detalle: dict[str, Any] | None = None
    prioridad: PrioridadPendiente
    lugar: LugarPendiente
    empresa: EmpresaPendiente | None = None
    direccion: Texto | None = Field(default=None, max_length=200)
    tecnico_id: Id | None = Field(default=None, description="Se asigna en cada ocurrencia (ASIGNAR_TECNICO)")
    # As on POST /api/pendientes: the registrant is the caller's empleado when linked.
    registrado_por_id: Id | None = None
    regla: ReglaIn


class RepetitivoCambios(Camel):
    """Partial: only the fields sent change (`tecnicoId`, `empresa` or `direccion` null clear them);
    `regla` and `detalle` are replaced whole. A new `tipo` takes the `detalle` sent with it (or none)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    nombre: Nombre | None = None
    tipo: TipoPendiente | None = None
    cliente_id: Id | None = None
    detalle: dict[str, Any] | None = None
    prioridad: PrioridadPendiente | None = None
    lugar: LugarPendiente | None = None
    empresa: EmpresaPendiente | None = None
    direccion: Texto | None = Field(default=None, max_length=200)
    tecnico_id: Id | None = None
    regla: ReglaIn | None = None


class NotaRequest(Camel):
    """Why it is paused or resumed: kept on the template and on its Schedule (Temporal UI)."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        json_schema_extra={"example": {"nota": "Cliente de vacaciones en enero"}},
    )

    nota: Nota | None = None


class ReglaResponse(Camel):
    frecuencia: Frecuencia
    cada: int
    dias_semana: list[DiaSemana]
    dias_mes: list[int]
    hora: Hora
    fecha_inicio: date
    fecha_fin: date | None


class RepetitivoResponse(Camel):
    id: int
    nombre: str
    tipo: TipoPendiente
    cliente_id: int
    cliente: str
    detalle: dict[str, Any]
    prioridad: PrioridadPendiente
    lugar: LugarPendiente
    empresa: EmpresaPendiente | None
    direccion: str | None
    tecnico_id: int | None
    tecnico: str | None
    id_empleado_registro: int
    regla: ReglaResponse
    pausado: bool
    nota: str | None
    # The Temporal Schedule that runs it (Temporal UI: Schedules).
    programa: str
    fecha_creacion: FechaHora
    # Only on GET /api/repetitivos/{id}: the next planned instants, Lima time (empty while paused;
    # null when Temporal cannot be asked right now).
    proximas: list[FechaHora] | None = None
