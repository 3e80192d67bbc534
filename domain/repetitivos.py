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
