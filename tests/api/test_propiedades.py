"""Property-based run over the OpenAPI document (schemathesis): generated requests, valid and invalid,
against the real API in its own process, never get a 5xx. It runs on a database of its own (with its own
worker) because the fuzzer creates, edits and deletes whatever the admin may."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import httpx
import pytest

from db.engine import make_engine, make_session_factory
from db.migrate import upgrade
from ops.demo import PASSWORD_DEMO, cargar_referencia
from tests.conftest import create_database
from worker import build_worker

EJEMPLOS = int(os.environ.get("SCHEMATHESIS_EJEMPLOS", "8"))
# Start-up is a few seconds; this only bounds a server that will never answer.
SALUD_SEGUNDOS = 60


def _puerto() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
async def api_aislada(postgres_server_url, settings, temporal_env, tmp_path_factory):
    url = create_database(postgres_server_url, "fuzz")
    upgrade(url)
    engine = make_engine(url)
    sesiones = make_session_factory(engine)
    await cargar_referencia(sesiones)
    cola = "pendientes-fuzz"
    puerto = _puerto()
    env = dict(
        os.environ,
        DATABASE_URL=url,
        TEMPORAL_ADDRESS=settings.temporal_address,
        TEMPORAL_TASK_QUEUE=cola,
        JWT_SECRET=settings.jwt_secret.get_secret_value(),
        SECRETS_KEY=settings.secrets_key.get_secret_value(),
        ENVIRONMENT="test",
        UPLOADS_DIR=str(tmp_path_factory.mktemp("uploads")),
    )
    comando = [
        sys.executable,
        "-m",
        "uvicorn",
        "api.main:app",
        "--port",
        str(puerto),
        "--log-level",
        "warning",
    ]
    registro = tmp_path_factory.mktemp("api") / "stderr.txt"
    with registro.open("wb") as salida:
        proceso = await asyncio.create_subprocess_exec(*comando, env=env, stderr=salida)
    base = f"http://127.0.0.1:{puerto}"
    try:
        async with build_worker(temporal_env.client, sesiones, cola):
            async with httpx.AsyncClient(base_url=base) as http:
                await _esperar_salud(http, proceso, registro)
                r = await http.post("/auth", json={"dni": "10000001", "password": PASSWORD_DEMO})
                assert r.status_code == 200, r.text
                token = r.json()["data"]["token"]
            yield base, token
    finally:
        if proceso.returncode is None:
            proceso.terminate()
        await proceso.wait()
        await engine.dispose()


async def _esperar_salud(http: httpx.AsyncClient, proceso, registro: Path) -> None:
    """Wait for the API's /health to answer 200; if the process dies or never gets there within
    SALUD_SEGUNDOS, fail with the tail of its stderr instead of fuzzing a server that is not up."""
    reloj = asyncio.get_running_loop()
    limite = reloj.time() + SALUD_SEGUNDOS
    estado = "no answer"
    while proceso.returncode is None and reloj.time() < limite:
        try:
            respuesta = await http.get("/health")
            if respuesta.status_code == 200:
                return
            estado = f"HTTP {respuesta.status_code}"
        except httpx.TransportError as error:
            estado = repr(error)
        await asyncio.sleep(0.1)
    motivo = f"exited with {proceso.returncode}" if proceso.returncode is not None else estado
    ultimas = registro.read_text(errors="replace")[-4000:]
    pytest.fail(f"the API never became healthy within {SALUD_SEGUNDOS} s ({motivo}); stderr:\n{ultimas}")


async def test_ninguna_peticion_generada_recibe_un_5xx(api_aislada, tmp_path):
    base, token = api_aislada
    informe = tmp_path / "schemathesis.txt"
    st = Path(sys.executable).parent / "st"
    comando = [
        str(st), "run", f"{base}/openapi.json",
        "--checks", "not_a_server_error",
        "--phases", "examples,fuzzing",
        "--max-examples", str(EJEMPLOS),
        "--seed", "20261122",
        "--request-timeout", "20",
        "-H", f"Authorization: Bearer {token}",
        # Logging in with random DNIs only exercises the lockout; it is covered by the identity tests.
        "--exclude-path", "/auth",
    ]  # fmt: skip
    with informe.open("w") as salida:
        proceso = await asyncio.create_subprocess_exec(
            *comando, stdout=salida, stderr=asyncio.subprocess.STDOUT
        )
        codigo = await proceso.wait()
    texto = informe.read_text()
    assert codigo == 0, texto[-6000:]
