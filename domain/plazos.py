"""Time rules: when a postponed pendiente comes back, when an open one becomes overdue, when a
cancelled one is archived. Pure functions of the state and a clock the caller passes in."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from domain.zona import LIMA_FIJA as LIMA

from .enums import ESTADOS_VENCIBLES, EstadoPendiente


def fin_del_dia(momento: datetime) -> datetime:
    """The first instant after the Lima calendar day of `momento`."""
    dia = momento.astimezone(LIMA).date()
    return datetime.combine(dia + timedelta(days=1), time.min, LIMA)


def vencimiento(estado: EstadoPendiente, vencido: bool, fecha_pendiente: datetime | None) -> datetime | None:
    """When an open pendiente becomes overdue: its scheduled day has ended and work is still open."""
    if vencido or fecha_pendiente is None or estado not in ESTADOS_VENCIBLES:
        return None
    return fin_del_dia(fecha_pendiente)


def reactivacion(estado: EstadoPendiente, fecha_pendiente: datetime | None) -> datetime | None:
    """When a postponed pendiente comes back by itself: on its new date."""
    if estado is not EstadoPendiente.POSTERGADO or fecha_pendiente is None:
        return None
    return fecha_pendiente


def estado_reactivado(asignado_a: int | None) -> EstadoPendiente:
    """Back to the technician who had it, or to the dispatch queue."""
    return EstadoPendiente.ASIGNADO if asignado_a is not None else EstadoPendiente.REGISTRADO


def archivo(estado: EstadoPendiente, cancelado_en: datetime | None, retencion: timedelta) -> datetime | None:
    """A cancelled pendiente stays recoverable (postergar) for `retencion`, then its workflow ends."""
    if estado is not EstadoPendiente.CANCELADO or cancelado_en is None:
        return None
    return cancelado_en + retencion
