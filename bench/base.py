"""The minimal baseline the product is measured against, on the same Temporal dev server and Postgres:
a workflow whose Update runs one local activity doing one INSERT. What any Temporal + Postgres service
pays at least per change; the product's figures are read as a ratio of these.

    python -m bench.base --temporal HOST:PORT --database-url postgresql://... (a worker; bench runs it)

The worker runs in its own process, as the product's does, so it does not share the load generator's
event loop. Its table (`bench_base`) is created in the benchmark's own database.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

COLA = "bench-base"
FLUJO = "BaseWorkflow"
ACTUALIZAR = "accion"
INSERTAR = "base_insertar"
TABLA = "CREATE TABLE IF NOT EXISTS bench_base (id bigserial PRIMARY KEY, flujo text, n int, accion text)"


@workflow.defn(name=FLUJO)
class BaseWorkflow:
    """Starts with one INSERT (like a create) and then applies each Update with one INSERT."""

    def __init__(self) -> None:
        self._n = 0
        self._fin = False

    @workflow.run
    async def run(self) -> int:
        await self._insertar("crear")
        await workflow.wait_condition(lambda: self._fin)
        return self._n

    @workflow.update(name=ACTUALIZAR)
    async def accion(self, nombre: str) -> int:
        await self._insertar(nombre)
        return self._n

    @workflow.signal
    def terminar(self) -> None:
        self._fin = True

    async def _insertar(self, nombre: str) -> None:
        self._n += 1
        await workflow.execute_local_activity(
            INSERTAR,
            args=[workflow.info().workflow_id, self._n, nombre],
            start_to_close_timeout=timedelta(seconds=30),
        )


def _actividad(url: str):
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from infra.config import to_sqlalchemy_url

    engine = create_async_engine(to_sqlalchemy_url(url), pool_size=15, max_overflow=15)

    @activity.defn(name=INSERTAR)
    async def insertar(flujo: str, n: int, accion: str) -> None:
        async with engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO bench_base (flujo, n, accion) VALUES (:f, :n, :a)"),
                {"f": flujo, "n": n, "a": accion},
            )

    return engine, insertar


async def main(temporal: str, database_url: str) -> None:
    engine, insertar = _actividad(database_url)
    from sqlalchemy import text

    async with engine.begin() as conn:
        await conn.execute(text(TABLA))
    client = await Client.connect(temporal)
    async with Worker(client, task_queue=COLA, workflows=[BaseWorkflow], activities=[insertar]):
        print("baseline worker ready", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--temporal", required=True)
    p.add_argument("--database-url", required=True)
    a = p.parse_args()
    asyncio.run(main(a.temporal, a.database_url))
