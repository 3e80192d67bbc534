"""Messages of OcurrenciaRepetitivoWorkflow and its activity. Pure Pydantic; they travel in histories
(add fields with defaults, never rename one)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel


class Ocurrencia(BaseModel):
    """One occurrence of a template: the instant its Schedule had planned (the identity of the
    occurrence: a retry, a second trigger or a repeated backfill of that instant is the same one)."""

    repetitivo_id: int
    programada: datetime


class Desenlace(StrEnum):
    CREADO = "CREADO"  # the occurrence's pendiente exists (now, or from an earlier attempt)
    OMITIDA = "OMITIDA"  # the template is paused or deleted: nothing created


class ResultadoOcurrencia(BaseModel):
    desenlace: Desenlace
    pendiente_id: int | None = None
    # The template's technician, if it names one and the assignment was accepted.
    asignado_a: int | None = None
    # Why the technician was not assigned (e.g. no longer able to execute work): the pendiente stays
    # REGISTRADO for dispatch.
    aviso: str | None = None

    def resumen(self) -> str:
        if self.desenlace is Desenlace.OMITIDA:
            return f"omitida: {self.aviso}"
        texto = f"pendiente {self.pendiente_id}"
        if self.asignado_a is not None:
            texto += f" · asignado a empleado {self.asignado_a}"
        return texto + (f" · {self.aviso}" if self.aviso else "")
