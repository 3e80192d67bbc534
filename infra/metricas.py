"""The worker's signals: the Temporal SDK runtime's Prometheus endpoint, and the log context of each
activity attempt (which workflow, which update or change, which pendiente)."""

from __future__ import annotations

from typing import Any

from temporalio import activity
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

from infra.logs import contexto


def runtime_con_metricas(direccion: str) -> Runtime:
    """A runtime whose clients and workers publish the SDK's metrics at http://<direccion>/metrics:
    workflow and activity task latencies and failures (local activities too), polls, sticky cache,
    slots. Seconds and `_total` suffixes, as Prometheus names them. Binding happens here: a busy port
    raises."""
    prometheus = PrometheusConfig(
        bind_address=direccion, counters_total_suffix=True, unit_suffix=True, durations_as_seconds=True
    )
    return Runtime(telemetry=TelemetryConfig(metrics=prometheus))


class _ContextoActividad(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()
        datos: dict[str, Any] = {
            "workflow_id": info.workflow_id,
            "run_id": info.workflow_run_id,
            "activity_type": info.activity_type,
            "activity_id": info.activity_id,
            "attempt": info.attempt,
        }
        # A change or a creation names its pendiente and the change (`update:<id>` for an Update).
        primero = input.args[0] if input.args else None
        for campo in ("pendiente_id", "cambio_id"):
            if (valor := getattr(primero, campo, None)) is not None:
                datos[campo] = valor
        token = contexto.set(datos)
        try:
            return await self.next.execute_activity(input)
        finally:
            contexto.reset(token)


class ContextoLogs(Interceptor):
    """Every log line an activity writes (with any logger) carries its workflow and change ids."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _ContextoActividad(next)
