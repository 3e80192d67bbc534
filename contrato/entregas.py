"""Messages of the events-out workflows (RepartidorWorkflow, EntregasWorkflow) and their activities.
Pure Pydantic: the workflows read Postgres only through the activities, and these travel in histories
(add fields with defaults, never rename one)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class ClaveEntregas(BaseModel):
    """One EntregasWorkflow's queue: the deliveries of one subscription that must arrive in order."""

    webhook_id: int
    clave: str


class OrdenEntrega(BaseModel):
    """Attempt one delivery. `intento` counts the attempts of this round of the ladder (1 = the first),
    kept by the workflow: a manual redelivery starts a new round whatever the log already holds."""

    entrega_id: int
    intento: int = Field(default=1, ge=1)


class Desenlace(StrEnum):
    ENTREGADA = "ENTREGADA"  # 2xx
    REINTENTAR = "REINTENTAR"  # failed: wait `espera_segundos`, then the same delivery again
    DESCARTADA = "DESCARTADA"  # the subscription is disabled or deleted (or was just disabled)
    FALLIDA = "FALLIDA"  # the last attempt of the ladder failed


class ResultadoEntrega(BaseModel):
    """The outcome of the last delivery an ENTREGAR run attempted (`entrega_id`: the run goes on with the
    queue's next ones while they are delivered), and how many it delivered."""

    estado: Desenlace
    espera_segundos: float | None = None
    status: int | None = None
    entrega_id: int | None = None
    entregadas: int = 0


class Reparto(BaseModel):
    """What one run of the relay activity did (shown in the Temporal UI)."""

    eventos: int = 0
    entregas: int = 0
