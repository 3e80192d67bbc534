"""The names the Temporal contract is made of: workflow types, updates, signals, queries, activities and
the default task queue. The workflows, the activities, the worker and the API import them from here, so
each name is spelled once and the dependency goes one way (nobody imports the workflow module to learn a
name). No imports: the configuration reads the task queue from here without loading the messages.

Every name below except the task queue is recorded in workflow histories: NEVER rename one (a running
pendiente would no longer find its handler, and `tests/workflows/test_replay.py` would fail).
"""

from __future__ import annotations

from typing import Final

# Task queue a worker polls and the API starts workflows on when the configuration names none.
COLA_POR_DEFECTO: Final = "pendientes"

# Workflow types.
FLUJO_PENDIENTE: Final = "PendienteWorkflow"
FLUJO_RECONCILIADOR: Final = "ReconciliadorWorkflow"
# One run per occurrence of a repeating work order, started by its Schedule (repetitivo-<id>).
FLUJO_OCURRENCIA: Final = "OcurrenciaRepetitivoWorkflow"

# PendienteWorkflow's updates besides the lifecycle actions. Each action of domain.acciones.Accion is
# both an update and a signal named by its value ("asignar", "comenzar", ...).
REGISTRAR: Final = "registrar"  # sent with the start (update-with-start): answers once the row exists
EDITAR: Final = "editar"
GUARDAR_DETALLE: Final = "guardar_detalle"
ELIMINAR: Final = "eliminar"
ETIQUETAR: Final = "etiquetar"
SINCRONIZAR: Final = "sincronizar"

# PendienteWorkflow's queries.
ESTADO: Final = "estado"
ACCIONES: Final = "acciones"

# Activities of PendienteWorkflow (local activities: persistence in Postgres).
REGISTRAR_PENDIENTE: Final = "registrar_pendiente"
APLICAR_CAMBIO: Final = "aplicar_cambio"
CARGAR_ACTOR: Final = "cargar_actor"
LEER_COMPROMETIDO: Final = "leer_comprometido"

# Activity of ReconciliadorWorkflow.
RECONCILIAR: Final = "reconciliar"

# Activity of OcurrenciaRepetitivoWorkflow: reserves the occurrence and creates its pendiente, once.
CREAR_OCURRENCIA: Final = "crear_ocurrencia"

# Events out (webhooks). RepartidorWorkflow (one, id REPARTIDOR_ID) hands each new event of the outbox to
# the deliveries; one EntregasWorkflow per (subscription, ordering key) delivers them in order, retrying.
FLUJO_REPARTIDOR: Final = "RepartidorWorkflow"
FLUJO_ENTREGAS: Final = "EntregasWorkflow"
REPARTIDOR_ID: Final = "repartidor"
# Signal to an EntregasWorkflow: new deliveries are waiting (no payload: the workflow reads Postgres).
AVISO: Final = "aviso"
# Activities of the two.
REPARTIR: Final = "repartir_eventos"
SIGUIENTE_ENTREGA: Final = "siguiente_entrega"
ENTREGAR: Final = "entregar"


def entregas_id(webhook_id: int, clave: str) -> str:
    """The id of the EntregasWorkflow of one subscription and one ordering key (`pendiente-12`)."""
    return f"entregas-{webhook_id}-{clave}"


def programa_repetitivo(repetitivo_id: int) -> str:
    """The id of a repeating work order's Schedule; its occurrences' workflow ids start with it (the
    Schedule appends the scheduled instant: `repetitivo-3-ocurrencia-2026-12-01T14:00:00Z`)."""
    return f"repetitivo-{repetitivo_id}"
