"""A fresh database with the whole demo loaded (`cargar_demo`, as `make run` does), on a task queue of its
own with its own worker, so the demo's 65 pendientes never mix with the other tests' data."""

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
async def demo_cargada(postgres_server_url, settings, temporal_env):
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
    comandos = Comandos.desde_settings(temporal_env.client, sessions, propios)
    try:
        async with build_worker(temporal_env.client, sessions, cola):
            total = await cargar_demo(sessions, comandos)
            yield DemoCargada(url, sessions, total, comandos)
    finally:
        await engine.dispose()
