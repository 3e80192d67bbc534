"""The resolution deadline (SLA) as data: how long each priority may take, when the clock runs, when
the workflow escalates and what the pendiente's `estadoSla` is. Pure functions of a clock the caller
passes in; the workflow owns the timers, the activity stores what these functions compute.

The clock counts the time the ISP owes the work. It runs from creation and stops:
- while POSTERGADO: the visit was moved to an agreed date (the customer's or the weather's reason);
- while POR_VALIDAR: the technician reported the work done; the customer is served, and the office's
  validation lag is not the customer's wait. An observation sends the work back and the clock resumes;
- once FINALIZADO or CANCELADO: nothing is owed any more.
REVISION keeps it running: the technician asked for a review because the work is not done.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from .enums import EstadoPendiente as E
from .enums import EstadoSla, PrioridadPendiente
from .permisos import Permiso
from .zona import LIMA_FIJA as LIMA

PLAZOS_POR_DEFECTO: dict[PrioridadPendiente, timedelta] = {
    PrioridadPendiente.MUY_URGENTE: timedelta(hours=4),
    PrioridadPendiente.URGENTE: timedelta(hours=24),
    PrioridadPendiente.MEDIA: timedelta(hours=72),
    PrioridadPendiente.BAJA: timedelta(days=7),
}

ESTADOS_CON_RELOJ = frozenset({E.REGISTRADO, E.ASIGNADO, E.EN_PROGRESO, E.PAUSADO, E.REVISION, E.OBSERVADO})
# The work is done (or being validated): an escalation below 100 % no longer means risk.
ESTADOS_RESUELTOS = frozenset({E.POR_VALIDAR, E.FINALIZADO})


@dataclass(frozen=True)
class Umbral:
    """An escalation: at `porcentaje` of the deadline, who is told and what estadoSla becomes."""

    porcentaje: int
    estado: EstadoSla
    avisa_tecnico: bool
    # The historial `accion` the workflow records (actor `sistema`); also keys domain.avisos/eventos.
    accion: str


UMBRALES: tuple[Umbral, ...] = (
    Umbral(50, EstadoSla.EN_RIESGO, avisa_tecnico=False, accion="sla_50"),
    Umbral(75, EstadoSla.EN_RIESGO, avisa_tecnico=True, accion="sla_75"),
    Umbral(100, EstadoSla.INCUMPLIDO, avisa_tecnico=True, accion="sla_100"),
)
POR_PORCENTAJE = {u.porcentaje: u for u in UMBRALES}
# Who is told of an escalation: dispatch always.
DESPACHO = Permiso.ASIGNAR_TECNICO


@dataclass(frozen=True)
class RelojSla:
    """A pendiente's clock. `consumido_seg` is the time counted up to `desde` (the instant the clock last
    started; None while it is stopped). `nivel` is the highest escalation raised (0 = none)."""

    plazo_seg: int
    consumido_seg: int = 0
    desde: datetime | None = None
    nivel: int = 0


def segundos(plazo: timedelta) -> int:
    return int(plazo.total_seconds())


def iniciar(plazo_seg: int, estado: E, ahora: datetime) -> RelojSla:
    return RelojSla(plazo_seg=plazo_seg, desde=ahora if estado in ESTADOS_CON_RELOJ else None)


def consumido(reloj: RelojSla, ahora: datetime) -> int:
    """Seconds counted so far (whole seconds: the same value in the workflow and in Postgres)."""
    if reloj.desde is None:
        return reloj.consumido_seg
    return reloj.consumido_seg + max(0, int((ahora - reloj.desde).total_seconds()))


def seguir(reloj: RelojSla, estado: E, ahora: datetime) -> RelojSla:
    """The clock after the pendiente moves to `estado`: stopped or resumed as the state says."""
    corre = estado in ESTADOS_CON_RELOJ
    if reloj.desde is not None and not corre:
        return replace(reloj, consumido_seg=consumido(reloj, ahora), desde=None)
    if reloj.desde is None and corre:
        return replace(reloj, desde=ahora)
    return reloj


def nivel_alcanzado(consumido_seg: int, plazo_seg: int) -> int:
    """The highest escalation threshold `consumido_seg` has reached, or 0."""
    alcanzados = [u.porcentaje for u in UMBRALES if consumido_seg * 100 >= u.porcentaje * plazo_seg]
    return max(alcanzados, default=0)


def con_plazo(reloj: RelojSla, plazo_seg: int, ahora: datetime) -> RelojSla:
    """A new deadline (the priority changed). The time already counted stays; escalations the new
    deadline has not reached are taken back, and a reached higher one is raised by the next timer."""
    if plazo_seg == reloj.plazo_seg:
        return reloj
    nivel = min(reloj.nivel, nivel_alcanzado(consumido(reloj, ahora), plazo_seg))
    return replace(reloj, plazo_seg=plazo_seg, nivel=nivel)


def _instante_de(reloj: RelojSla, porcentaje: int) -> datetime:
    # Ceiling of porcentaje % of the deadline, in whole seconds, counted from where the clock started.
    objetivo = -(-porcentaje * reloj.plazo_seg // 100)
    return reloj.desde + timedelta(seconds=objetivo - reloj.consumido_seg)


def proxima_escalada(reloj: RelojSla) -> datetime | None:
    """When the next escalation is due; None while the clock is stopped or all were raised."""
    if reloj.desde is None:
        return None
    siguientes = [u.porcentaje for u in UMBRALES if u.porcentaje > reloj.nivel]
    return _instante_de(reloj, siguientes[0]) if siguientes else None


def escalar(reloj: RelojSla, ahora: datetime) -> tuple[RelojSla, Umbral] | None:
    """The escalation due at `ahora`: the highest threshold whose instant has come (after a long outage
    of the worker, one escalation to where the clock is, not a burst of stale ones), or None. Uses the
    instants `proxima_escalada` gives, so a timer that fires at one always finds its escalation."""
    if reloj.desde is None:
        return None
    debidos = [
        u for u in UMBRALES if u.porcentaje > reloj.nivel and _instante_de(reloj, u.porcentaje) <= ahora
    ]
    if not debidos:
        return None
    return replace(reloj, nivel=debidos[-1].porcentaje), debidos[-1]


def vence(reloj: RelojSla) -> datetime | None:
    """The deadline while the clock runs; None while it is stopped (no instant can be promised)."""
    if reloj.desde is None:
        return None
    return reloj.desde + timedelta(seconds=reloj.plazo_seg - reloj.consumido_seg)


def estado_sla(reloj: RelojSla, estado: E) -> EstadoSla:
    if reloj.nivel >= 100:
        return EstadoSla.INCUMPLIDO
    if reloj.nivel > 0 and estado not in ESTADOS_RESUELTOS:
        return EstadoSla.EN_RIESGO
    return EstadoSla.EN_PLAZO


def _duracion(segundos_: int) -> str:
    if segundos_ % 86400 == 0 and segundos_ >= 2 * 86400:
        return f"{segundos_ // 86400} días"
    if segundos_ % 3600 == 0:
        return f"{segundos_ // 3600} h"
    return f"{segundos_ // 60} min"


def descripcion(umbral: Umbral, reloj: RelojSla) -> str:
    """The escalation in words, for the historial entry and the notification."""
    plazo = _duracion(reloj.plazo_seg)
    if umbral.estado is EstadoSla.INCUMPLIDO:
        return f"superó su plazo de resolución de {plazo}"
    limite = vence(reloj).astimezone(LIMA)
    return f"llegó al {umbral.porcentaje} % de su plazo de {plazo}; vence el {limite:%d/%m a las %H:%M}"
