"""A fresh database with the whole demo loaded (`cargar_demo`, as `make run` does), on a task queue of its
own with its own worker and Temporal server, so the demo's 65 pendientes never mix with the other tests'
data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import create_database


@dataclass
class DemoCargada:
    url: str
    sessions: async_sessionmaker[AsyncSession]
    total: int
    comandos: object


@pytest.fixture(scope="module")
async def temporal_propio():
    """A Temporal dev server of this module: the demo's workflows are `pendiente-1` to `pendiente-65`, ids
    that the other tests' pendientes take on the shared server too."""
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.testing import WorkflowEnvironment

    from infra.local import temporal_cli
    from workflows import busqueda

    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli(),
        data_converter=pydantic_data_converter,
        search_attributes=busqueda.TODAS,
        dev_server_log_level="error",
    )
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture(scope="module")
async def demo_cargada(postgres_server_url, settings, temporal_propio):
    from api.pendientes.comandos import Comandos
    from db.engine import make_engine, make_session_factory
    from db.migrate import upgrade
    from ops.demo import cargar_demo
    from worker import build_worker

    url = create_database(postgres_server_url, "demo")
    upgrade(url)
    cola = f"demo-{uuid.uuid4().hex[:8]}"
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    propios = settings.model_copy(
        update={"database_url": url, "temporal_task_queue": cola, "update_timeout_seconds": 30}
    )
    comandos = Comandos.desde_settings(temporal_propio.client, sessions, propios)
    try:
        async with build_worker(temporal_propio.client, sessions, cola):
            total = await cargar_demo(sessions, comandos)
            yield DemoCargada(url, sessions, total, comandos)
    finally:
        await engine.dispose()
