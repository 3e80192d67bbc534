"""`make run`: the whole product on one machine, supervised.

Embedded Postgres (unless DATABASE_URL), Temporal dev server with its UI (unless TEMPORAL_ADDRESS),
migrations, worker, demo data, API. A child that dies is restarted with exponential backoff while the others
keep serving; Ctrl-C (or SIGTERM) stops every child in reverse order. A second run reuses the data in
`.data/` (DATA_DIR) and the workflows that were running.
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from infra import local as infra
from infra import logs
from infra.config import Settings
from infra.seguridad import generar_fernet_key, generar_jwt_secret, secreto_local

log = logging.getLogger("ops.run")
PR_SET_PDEATHSIG = 1


class Proceso(Protocol):
    """What the supervisor needs from a child: subprocess.Popen's own methods."""

    pid: int | None

    def poll(self) -> int | str | None: ...
    def terminate(self) -> None: ...
    def kill(self) -> None: ...
    def wait(self, timeout: float | None = None) -> object: ...


@dataclass(frozen=True)
class Politica:
    """When a dead child comes back: after `inicial` seconds, doubling at each new crash up to `tope`. A child
    that served `estable` seconds before dying starts over at `inicial`: that crash is news, not a loop."""

    inicial: float = 1.0
    tope: float = 30.0
    estable: float = 60.0


@dataclass
class Hijo:
    nombre: str
    lanzar: Callable[[], Proceso]
    puerto: int | None = None  # it serves once this port opens
    proceso: Proceso | None = None
    politica: Politica = Politica()
    desde: float = 0.0  # when it last started
    espera: float = 0.0  # delay before its next restart
    reinicio: float | None = None  # when it restarts (monotonic); None while it runs


def _hijo_muere_con_padre() -> None:
    # Own process group (Ctrl-C reaches only us, we stop children in order) and SIGTERM if we die.
    os.setsid()
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _comando(comando: list[str], env: dict[str, str], log_file: Path | None = None) -> Callable[[], Proceso]:
    def lanzar() -> subprocess.Popen:
        with log_file.open("ab") if log_file else contextlib.nullcontext() as salida:
            return subprocess.Popen(
                comando, env=env, stdout=salida, stderr=salida, preexec_fn=_hijo_muere_con_padre
            )

    return lanzar


class Postmaster:
    """The embedded Postgres as a child. pg_ctl daemonises it, so we are not its parent: its exit code is not
    ours to read (postgres/log has it), and its pid is read from postmaster.pid each time, so the server a
    restart brought up is the one watched and stopped, even if Ctrl-C came in the middle of that restart."""

    def __init__(self, directorio: Path) -> None:
        self.directorio = directorio
        self.servidor = None

    @property
    def pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            return int((self.directorio / "postmaster.pid").read_text().split("\n", 1)[0])
        return None

    def arrancar(self) -> Postmaster:
        if self.servidor is None:
            self.servidor = infra.iniciar_postgres(self.directorio)
        else:  # pg_ctl start -w on the same data and socket directory, hence the same DATABASE_URL
            self.servidor.ensure_postgres_running()
        if self.poll() is not None:
            raise RuntimeError(f"postgres did not start; see {self.directorio / 'log'}")
        return self

    def poll(self) -> str | None:
        """None while the pid in postmaster.pid exists. A zombie still counts, as it does for pgserver and
        postgres (they refuse to start while it exists): the server is gone once its parent has reaped it."""
        pid = self.pid
        if pid is None:
            return "unknown"
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reap it ourselves when it became our child (we run as PID 1)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return "unknown"
        return None

    def terminate(self) -> None:
        self._senal(signal.SIGINT)  # Postgres' fast shutdown: it does not wait for clients to leave

    def kill(self) -> None:
        self._senal(signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> None:
        limite = time.monotonic() + (timeout or 60)
        while self.poll() is None:
            if time.monotonic() > limite:
                raise subprocess.TimeoutExpired("postgres", timeout or 60)
            time.sleep(0.1)

    def _senal(self, senal: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, TypeError):
            os.kill(self.pid, senal)


class Supervisor:
    def __init__(self) -> None:
        self.hijos: list[Hijo] = []

    def agregar(self, hijo: Hijo) -> None:
        """Start a child (a failure here stops the start-up) and watch it from now on."""
        self.hijos.append(hijo)  # first, so that Ctrl-C during its start still stops it
        hijo.espera = hijo.politica.inicial
        self._iniciar(hijo)

    def _iniciar(self, hijo: Hijo) -> None:
        hijo.reinicio, hijo.desde = None, time.monotonic()
        hijo.proceso = hijo.lanzar()
        log.info("started %s (pid %s)", hijo.nombre, hijo.proceso.pid)
        if hijo.puerto is not None:
            infra.esperar_puerto(hijo.puerto, 60, hijo.proceso)

    def vigilar(self) -> None:
        """The supervision loop, until Ctrl-C: a dead child is restarted once its delay has passed."""
        while True:
            ahora = time.monotonic()
            for hijo in self.hijos:
                if hijo.reinicio is None and (codigo := hijo.proceso.poll()) is not None:
                    self._programar(hijo, f"exited with code {codigo}", ahora)
                elif hijo.reinicio is not None and ahora >= hijo.reinicio:
                    self._reiniciar(hijo)
            time.sleep(0.2)

    def _reiniciar(self, hijo: Hijo) -> None:
        try:
            self._iniciar(hijo)
        except Exception as error:  # e.g. it died again before opening its port: back off further
            if hijo.proceso.poll() is None:  # alive but not serving: never leave two copies running
                _parar(hijo.proceso)
            self._programar(hijo, f"failed to restart ({error})", time.monotonic())

    def _programar(self, hijo: Hijo, motivo: str, ahora: float) -> None:
        if ahora - hijo.desde >= hijo.politica.estable:
            hijo.espera = hijo.politica.inicial
        hijo.reinicio = ahora + hijo.espera
        log.warning("%s %s; restarting it in %.0fs", hijo.nombre, motivo, hijo.espera)
        hijo.espera = min(hijo.espera * 2, hijo.politica.tope)

    def detener(self) -> None:
        # A second Ctrl-C must not cut the stop short and leave children behind.
        for senal in (signal.SIGINT, signal.SIGTERM):
            signal.signal(senal, signal.SIG_IGN)
        for hijo in reversed(self.hijos):
            if hijo.proceso is not None and hijo.proceso.poll() is None:
                log.info("stopping %s", hijo.nombre)
                _parar(hijo.proceso)


def _parar(proceso: Proceso) -> None:
    proceso.terminate()
    try:
        proceso.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proceso.kill()
        proceso.wait()


def _entorno(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    datos = settings.data_dir
    if settings.jwt_secret is None:
        env["JWT_SECRET"] = secreto_local(datos, "jwt-secret", generar_jwt_secret)
    if settings.secrets_key is None:
        env["SECRETS_KEY"] = secreto_local(datos, "secrets-key", generar_fernet_key)
    return env


async def _sembrar(settings: Settings) -> int:
    from api.pendientes.comandos import Comandos
    from db.engine import make_engine, make_session_factory
    from infra.temporal import connect
    from ops.demo import cargar_demo

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
    # On its database file, so that a restarted dev server still has every workflow.
    db_file = (settings.data_dir / "temporal.db").resolve()
    comando = infra.comando_temporal_dev(settings.temporal_port, settings.temporal_ui_port, db_file)
    # The dev server is chatty; its log goes to a file next to its database.
    lanzar = _comando(comando, env, settings.data_dir / "temporal.log")
    sup.agregar(Hijo("temporal", lanzar, puerto=settings.temporal_port))
    env["TEMPORAL_ADDRESS"] = f"127.0.0.1:{settings.temporal_port}"


def _arrancar(sup: Supervisor, settings: Settings) -> None:
    inicio = time.monotonic()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    env = _entorno(settings)
    if not settings.database_url:
        postgres = Postmaster((settings.data_dir / "postgres").resolve())
        sup.agregar(Hijo("postgres", postgres.arrancar, proceso=postgres))
        env["DATABASE_URL"] = infra.asegurar_base(postgres.servidor.get_uri(), "pendientes")
        log.info("embedded postgres ready in %s", settings.data_dir / "postgres")
    if not settings.temporal_address:
        _iniciar_temporal(sup, settings, env)
    settings = Settings(**{k.lower(): v for k, v in env.items() if k.lower() in Settings.model_fields})

    from db.migrate import upgrade

    upgrade(settings.database_url)
    log.info("migrations applied")
    python = sys.executable
    sup.agregar(Hijo("worker", _comando([python, "-m", "worker"], env)))
    if settings.demo_data:
        total = asyncio.run(_sembrar(settings))
        log.info("demo data loaded (%d pendientes)", total)
    sup.agregar(Hijo("api", _comando(comando_api(settings), env), puerto=settings.api_port))
    _anunciar(settings, time.monotonic() - inicio)


def comando_api(settings: Settings) -> list[str]:
    """uvicorn for the API; `--no-server-header`: answers do not name the server software;
    `--timeout-graceful-shutdown`: open live-board streams (never ending) do not hold a stop."""
    comando = [sys.executable, "-m", "uvicorn", "api.main:app", "--no-server-header"]
    comando += ["--timeout-graceful-shutdown", "5"]
    return comando + ["--host", settings.api_host, "--port", str(settings.api_port)]


def _anunciar(settings: Settings, segundos: float) -> None:
    from ops.demo import PASSWORD_DEMO, USUARIOS

    api = f"http://{settings.api_host}:{settings.api_port}"
    lineas = [
        "",
        f"pendientes is running (ready in {segundos:.1f}s)",
        f"  API docs     {api}/docs",
        f"  Health       {api}/health",
    ]
    if not os.environ.get("TEMPORAL_ADDRESS"):
        lineas.append(f"  Temporal UI  http://127.0.0.1:{settings.temporal_ui_port}")
    lineas.append(f"  Metrics      {api}/metrics (an ADMINISTRAR token)")
    if settings.worker_metrics_address:
        lineas.append(f"  Worker       http://{settings.worker_metrics_address}/metrics")
    if settings.demo_data:
        lineas.append(f"  Demo logins (password '{PASSWORD_DEMO}'):")
        lineas += [f"    {dni}  {rol}" for dni, rol, *_ in USUARIOS]
    lineas.append("Ctrl-C stops everything.")
    print("\n".join(lineas), flush=True)


def main() -> int:
    settings = Settings()
    logs.configurar(settings.formato_logs)
    sup = Supervisor()
    # SIGTERM behaves like Ctrl-C: interrupt whatever we are doing and stop the children in order.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    codigo = 0
    try:
        _arrancar(sup, settings)
        sup.vigilar()
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
