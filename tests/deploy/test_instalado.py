"""`pip install .` (not editable) gives a working API and worker without the source tree (issue 10).

The project is built into a wheel and installed into a directory of its own; every process then runs with
that directory first on its path and a working directory outside the repository, so nothing can come from
the source tree or from the editable install of the development venv. The test proves where the imports
come from, migrates a fresh database with the installed copy's migrations (package data), serves /health
from the installed API and sees the installed worker poll its task queue.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import psycopg
import pytest
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.service import RPCError, RPCStatusCode

from tests.conftest import create_database

ROOT = Path(__file__).resolve().parents[2]
# What the build reads; the rest of the checkout (venv, data, tests, docs) stays out of the copy.
FUERA = shutil.ignore_patterns(
    ".git", ".venv", ".data", "tests", "docs", "bench", "build", "dist", "*.egg-info", "__pycache__", "*.pyc"
)
ESPERA = 60  # seconds a process may take to become ready before the test fails


@pytest.fixture(scope="module")
def instalado(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory the built wheel was installed into (`pip install --target`)."""
    fuente = tmp_path_factory.mktemp("fuente") / "pendientes"
    shutil.copytree(ROOT, fuente, ignore=FUERA)
    ruedas = tmp_path_factory.mktemp("ruedas")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", "--quiet"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(ruedas), str(fuente)],
        check=True,
        timeout=300,
    )
    (rueda,) = ruedas.glob("pendientes-*.whl")
    destino = tmp_path_factory.mktemp("site")
    subprocess.run(
        [*pip, "install", "--no-deps", "--target", str(destino), str(rueda)], check=True, timeout=300
    )
    return destino


@pytest.fixture(scope="module")
def afuera(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory with nothing importable in it."""
    return tmp_path_factory.mktemp("afuera")


def _entorno(instalado: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return env | {"PYTHONPATH": str(instalado), "ENVIRONMENT": "test", "DEMO_DATA": "false"} | extra


def _python(instalado: Path, afuera: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=afuera,
        env=_entorno(instalado, **extra),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _puerto() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_api_and_the_worker_import_from_the_installed_copy(instalado: Path, afuera: Path) -> None:
    codigo = (
        "import json, api.main, worker, db.migrate, workflows.pendiente; "
        "print(json.dumps([m.__file__ for m in (api.main, worker, db.migrate, workflows.pendiente)] "
        "+ [str(db.migrate.ALEMBIC_INI), str(db.migrate.MIGRATIONS_DIR)]))"
    )
    hecho = _python(instalado, afuera, "-c", codigo)
    assert hecho.returncode == 0, hecho.stderr
    rutas = [Path(p).resolve() for p in json.loads(hecho.stdout)]
    for ruta in rutas:
        assert ruta.is_relative_to(instalado.resolve()), f"{ruta} is not from the installed copy"
        assert ruta.exists(), f"{ruta} was not installed"
    revisiones = list((rutas[-1] / "versions").glob("*.py"))
    assert revisiones, "the migrations' revision files are package data"


def test_the_installed_copy_migrates_a_fresh_database(
    instalado: Path, afuera: Path, postgres_server_url: str
) -> None:
    url = create_database(postgres_server_url, "instalado")
    hecho = _python(instalado, afuera, "-m", "db.migrate", DATABASE_URL=url)
    assert hecho.returncode == 0, hecho.stderr
    with psycopg.connect(url) as conn:
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        tablas = {
            fila[0] for fila in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
    assert version is not None
    assert {"pendientes", "usuarios", "historiales"} <= tablas


async def _esperar_salud(base: str, proceso: subprocess.Popen, registro: Path) -> None:
    limite = asyncio.get_running_loop().time() + ESPERA
    estado = "no answer"
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        while proceso.poll() is None and asyncio.get_running_loop().time() < limite:
            try:
                respuesta = await http.get("/health")
                if respuesta.status_code == 200:
                    return
                estado = f"HTTP {respuesta.status_code}: {respuesta.text}"
            except httpx.TransportError as error:
                estado = repr(error)
            await asyncio.sleep(0.2)
    pytest.fail(f"the installed API never became healthy ({estado}); stderr:\n{registro.read_text()[-3000:]}")


PASAJEROS = (RPCStatusCode.CANCELLED, RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED)


async def _pollers(client, cola: str) -> int:
    """How many workers poll `cola`; 0 while the server cannot say yet (a describe of a task queue being
    loaded can come back CANCELLED on a busy dev server: the caller's loop asks again)."""
    pedido = DescribeTaskQueueRequest(namespace=client.namespace, task_queue=TaskQueue(name=cola))
    try:
        return len((await client.workflow_service.describe_task_queue(pedido)).pollers)
    except RPCError as error:
        if error.status in PASAJEROS:
            return 0
        raise


async def test_the_installed_api_answers_health_and_the_worker_polls(
    instalado: Path, afuera: Path, postgres_server_url: str, settings, temporal_env, tmp_path: Path
) -> None:
    url = create_database(postgres_server_url, "instalado")
    assert _python(instalado, afuera, "-m", "db.migrate", DATABASE_URL=url).returncode == 0
    cola = f"instalado-{uuid.uuid4().hex[:8]}"
    env = _entorno(
        instalado,
        DATABASE_URL=url,
        TEMPORAL_ADDRESS=settings.temporal_address,
        TEMPORAL_TASK_QUEUE=cola,
        JWT_SECRET=settings.jwt_secret.get_secret_value(),
        SECRETS_KEY=settings.secrets_key.get_secret_value(),
        UPLOADS_DIR=str(tmp_path / "uploads"),
        RECONCILIADOR_MINUTOS="0",
    )
    puerto = _puerto()
    comandos = {
        "api": [
            sys.executable,
            "-m",
            "uvicorn",
            "api.main:app",
            "--port",
            str(puerto),
            "--log-level",
            "warning",
        ],
        "worker": [sys.executable, "-m", "worker"],
    }
    procesos: dict[str, subprocess.Popen] = {}
    registros = {nombre: tmp_path / f"{nombre}.txt" for nombre in comandos}
    try:
        for nombre, comando in comandos.items():
            with registros[nombre].open("wb") as salida:
                procesos[nombre] = subprocess.Popen(comando, cwd=afuera, env=env, stderr=salida)
        await _esperar_salud(f"http://127.0.0.1:{puerto}", procesos["api"], registros["api"])
        limite = asyncio.get_running_loop().time() + ESPERA
        while not await _pollers(temporal_env.client, cola):
            assert procesos["worker"].poll() is None, registros["worker"].read_text()[-3000:]
            assert asyncio.get_running_loop().time() < limite, "the installed worker never polled its queue"
            await asyncio.sleep(0.2)
    finally:
        for proceso in procesos.values():
            proceso.terminate()
        for proceso in procesos.values():
            try:
                proceso.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proceso.kill()
                proceso.wait()


def test_the_readmes_alembic_command_migrates_a_fresh_database(postgres_server_url: str) -> None:
    """`alembic -c db/alembic.ini upgrade head` (README, Layout) from the checkout, as a developer runs it."""
    url = create_database(postgres_server_url, "alembic")
    alembic = Path(sys.executable).with_name("alembic")
    env = dict(os.environ, DATABASE_URL=url, PYTHONPATH=str(ROOT))
    hecho = subprocess.run(
        [str(alembic), "-c", "db/alembic.ini", "upgrade", "head"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert hecho.returncode == 0, hecho.stderr
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() is not None
