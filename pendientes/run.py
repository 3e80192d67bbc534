"""`make run`: the whole product on one machine.

Embedded Postgres (unless DATABASE_URL), Temporal dev server with its UI (unless TEMPORAL_ADDRESS),
migrations, worker, demo data, API. Ctrl-C stops every child in reverse order; a second run reuses
the data in `.data/` and the workflows that were running.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pendientes import infra
from pendientes.config import Settings
from pendientes.seguridad import generar_fernet_key, generar_jwt_secret, secreto_local

log = logging.getLogger("pendientes.run")
PR_SET_PDEATHSIG = 1


def _hijo_muere_con_padre() -> None:
    # Own process group (Ctrl-C reaches only us, we stop children in order) and SIGTERM if we die.
    os.setsid()
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Supervisor:
    def __init__(self) -> None:
        self.hijos: list[tuple[str, subprocess.Popen]] = []
        self.postgres = None

    def lanzar(
        self, nombre: str, comando: list[str], env: dict[str, str], log_file: Path | None = None
    ) -> subprocess.Popen:
        salida = log_file.open("ab") if log_file else None
        proceso = subprocess.Popen(
            comando, env=env, stdout=salida, stderr=salida, preexec_fn=_hijo_muere_con_padre
        )
        self.hijos.append((nombre, proceso))
        return proceso

    def detener(self) -> None:
        for nombre, proceso in reversed(self.hijos):
            if proceso.poll() is None:
                log.info("stopping %s", nombre)
                proceso.terminate()
                try:
                    proceso.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proceso.kill()
                    proceso.wait()
        if self.postgres is not None:
            log.info("stopping postgres")
            self.postgres.cleanup()

    def caido(self) -> str | None:
        return next((n for n, p in self.hijos if p.poll() is not None), None)


def _entorno(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    datos = settings.data_dir
    if settings.jwt_secret is None:
        env["JWT_SECRET"] = secreto_local(datos, "jwt-secret", generar_jwt_secret)
    if settings.secrets_key is None:
        env["SECRETS_KEY"] = secreto_local(datos, "secrets-key", generar_fernet_key)
    return env


async def _sembrar(settings: Settings) -> int:
    from pendientes.comandos import Comandos
    from pendientes.db.engine import make_engine, make_session_factory
    from pendientes.demo import cargar_demo
    from pendientes.temporal_client import connect

    engine = make_engine(settings.database_url)
    try:
        sessions = make_session_factory(engine)
        client = await connect(settings)
        comandos = Comandos.desde_settings(
            client, sessions, settings.model_copy(update={"update_timeout_seconds": 30})
        )
        return await cargar_demo(sessions, comandos)
    finally:
        await engine.dispose()


def _iniciar_temporal(sup: Supervisor, settings: Settings, env: dict[str, str]) -> None:
    if not infra.puerto_libre(settings.temporal_port):
        raise SystemExit(
            f"port {settings.temporal_port} is busy: stop the other Temporal or set TEMPORAL_ADDRESS"
        )
    db_file = (settings.data_dir / "temporal.db").resolve()
    comando = infra.comando_temporal_dev(settings.temporal_port, settings.temporal_ui_port, db_file)
    # The dev server is chatty; its log goes to a file next to its database.
    proceso = sup.lanzar("temporal", comando, env, settings.data_dir / "temporal.log")
    infra.esperar_puerto(settings.temporal_port, 60, proceso)
    env["TEMPORAL_ADDRESS"] = f"127.0.0.1:{settings.temporal_port}"


def _arrancar(sup: Supervisor, settings: Settings) -> None:
    inicio = time.monotonic()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    env = _entorno(settings)
    if not settings.database_url:
        sup.postgres = infra.iniciar_postgres((settings.data_dir / "postgres").resolve())
        env["DATABASE_URL"] = infra.asegurar_base(sup.postgres.get_uri(), "pendientes")
        log.info("embedded postgres ready in %s", settings.data_dir / "postgres")
    if not settings.temporal_address:
        _iniciar_temporal(sup, settings, env)
    settings = Settings(**{k.lower(): v for k, v in env.items() if k.lower() in Settings.model_fields})

    from pendientes.db.migrate import upgrade

    upgrade(settings.database_url)
    log.info("migrations applied")
    python = sys.executable
    sup.lanzar("worker", [python, "-m", "pendientes.worker"], env)
    if settings.demo_data:
        total = asyncio.run(_sembrar(settings))
        log.info("demo data loaded (%d pendientes)", total)
    comando_api = [python, "-m", "uvicorn", "pendientes.api.main:app", "--host", settings.api_host]
    api = sup.lanzar("api", comando_api + ["--port", str(settings.api_port)], env)
    infra.esperar_puerto(settings.api_port, 60, api)
    _anunciar(settings, time.monotonic() - inicio)


def _anunciar(settings: Settings, segundos: float) -> None:
    from pendientes.demo import PASSWORD_DEMO, USUARIOS

    api = f"http://{settings.api_host}:{settings.api_port}"
    lineas = [
        "",
        f"pendientes is running (ready in {segundos:.1f}s)",
        f"  API docs     {api}/docs",
        f"  Health       {api}/health",
    ]
    if not os.environ.get("TEMPORAL_ADDRESS"):
        lineas.append(f"  Temporal UI  http://127.0.0.1:{settings.temporal_ui_port}")
    if settings.demo_data:
        lineas.append(f"  Demo logins (password '{PASSWORD_DEMO}'):")
        lineas += [f"    {dni}  {rol}" for dni, rol, *_ in USUARIOS]
    lineas.append("Ctrl-C stops everything.")
    print("\n".join(lineas), flush=True)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings()
    sup = Supervisor()
    # SIGTERM behaves like Ctrl-C: interrupt whatever we are doing and stop the children in order.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    codigo = 0
    try:
        _arrancar(sup, settings)
        while True:
            if caido := sup.caido():
                log.error("%s exited unexpectedly; stopping everything", caido)
                codigo = 1
                break
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    except Exception:
        log.exception("start-up failed")
        codigo = 1
    finally:
        sup.detener()
    return codigo


if __name__ == "__main__":
    sys.exit(main())
