"""Repeating work orders (the peer's "OT repetitiva"): a template of a pendiente plus a calendar rule,
run by a Temporal Schedule. The rule's vocabulary and limits, and who may manage and read templates.

A rule is one of:
- DIARIA: every `cada` days at `hora`, counted from `fechaInicio`;
- SEMANAL: every `cada` weeks on `diasSemana` at `hora`, weeks counted from the week (Monday to Sunday)
  of `fechaInicio`;
- MENSUAL: every month on `diasMes` at `hora` (a day a month does not have, such as 31 in April, is
  skipped that month, as in cron).
Times are Lima's (America/Lima, UTC-5 all year, no DST); nothing happens before `fechaInicio` nor after
`fechaFin` (inclusive days)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum

from domain.permisos import Permiso


class Frecuencia(StrEnum):
    DIARIA = "DIARIA"
    SEMANAL = "SEMANAL"
    MENSUAL = "MENSUAL"


class DiaSemana(StrEnum):
    """In ISO order: LUNES is 0 (Python's weekday()), DOMINGO 6."""

    LUNES = "LUNES"
    MARTES = "MARTES"
    MIERCOLES = "MIERCOLES"
    JUEVES = "JUEVES"
    VIERNES = "VIERNES"
    SABADO = "SABADO"
    DOMINGO = "DOMINGO"

    @property
    def indice(self) -> int:
        return list(DiaSemana).index(self)


# `cada` bounds per frequency: up to a year of days, up to a year of weeks; MENSUAL is every month.
CADA_MAXIMO = {Frecuencia.DIARIA: 365, Frecuencia.SEMANAL: 52, Frecuencia.MENSUAL: 1}
# How many upcoming occurrences GET /api/repetitivos/{id} shows.
PROXIMAS = 5

# Managing (create, edit, pause, resume, delete) is dispatch's registering work; naming a technician in
# the template also needs ASIGNAR_TECNICO, because every occurrence will assign them.
PERMISO_GESTIONAR = Permiso.REGISTRAR_PENDIENTE
PERMISO_TECNICO = Permiso.ASIGNAR_TECNICO
PERMISOS_VER = (Permiso.REGISTRAR_PENDIENTE, Permiso.VER_TODOS)
# What an occurrence acts with: the system, on behalf of the template (it registers and assigns).
PERMISOS_OCURRENCIA = frozenset({Permiso.REGISTRAR_PENDIENTE, Permiso.ASIGNAR_TECNICO})


def nombre_actor(repetitivo_id: int) -> str:
    """The actor's name in the historial of the pendientes a template creates."""
    return f"sistema · repetitivo {repetitivo_id}"


# A pendiente's date starts in 2000 (api/comun/tipos.py ANIO_MINIMO_TRABAJO): so does a rule.
ANIO_MINIMO = 2000


@dataclass(frozen=True)
class Regla:
    """A calendar rule, normalised: weekdays 0 (Monday) to 6 and days of the month 1 to 31, sorted and
    without repeats; `hora` without seconds."""

    frecuencia: Frecuencia
    hora: time
    fecha_inicio: date
    cada: int = 1
    dias_semana: tuple[int, ...] = ()
    dias_mes: tuple[int, ...] = ()
    fecha_fin: date | None = None


def problema_de_regla(regla: Regla, hoy: date) -> tuple[str, str] | None:
    """The first thing wrong with a rule, as (field as the API spells it, message); None if it is fine.
    `hoy` is Lima's today: a rule that ended before it would never create anything."""
    f = regla.frecuencia
    if not 1 <= regla.cada <= CADA_MAXIMO[f]:
        if f is Frecuencia.MENSUAL:
            return "regla.cada", "una regla MENSUAL es de cada mes (cada = 1)"
        return "regla.cada", f"'cada' va de 1 a {CADA_MAXIMO[f]}"
    if f is Frecuencia.SEMANAL and not regla.dias_semana:
        return "regla.diasSemana", "una regla SEMANAL necesita al menos un día de la semana"
    if f is not Frecuencia.SEMANAL and regla.dias_semana:
        return "regla.diasSemana", "los días de la semana son solo de una regla SEMANAL"
    if f is Frecuencia.MENSUAL and not regla.dias_mes:
        return "regla.diasMes", "una regla MENSUAL necesita al menos un día del mes"
    if f is not Frecuencia.MENSUAL and regla.dias_mes:
        return "regla.diasMes", "los días del mes son solo de una regla MENSUAL"
    if regla.hora.second or regla.hora.microsecond:
        return "regla.hora", "la hora es HH:MM, sin segundos"
    if regla.fecha_inicio.year < ANIO_MINIMO:
        return "regla.fechaInicio", f"la fecha de inicio debe ser del año {ANIO_MINIMO} o posterior"
    if regla.fecha_fin is not None and regla.fecha_fin < regla.fecha_inicio:
        return "regla.fechaFin", "la fecha de fin es anterior a la de inicio"
    if regla.fecha_fin is not None and regla.fecha_fin < hoy:
        return "regla.fechaFin", "la fecha de fin ya pasó: la regla no crearía nada"
    return None
