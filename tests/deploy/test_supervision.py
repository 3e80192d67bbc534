"""`make run` supervises its children: kill -9 one of them and it comes back while the rest keep serving;
SIGTERM to the supervisor leaves no process behind.

Everything is real: the supervisor (`python -m ops.run`) in its own data directory and on free ports,
embedded Postgres, the Temporal dev server, the worker and uvicorn. The test learns the children's pids from
the supervisor's "started <name> (pid N)" log lines and waits on events with deadlines, never fixed sleeps.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from infra.config import Settings
from infra.local import temporal_cli
from tests.deploy.test_compose import load_compose

ARRANQUE = 90  # seconds for a cold start: initdb, Temporal's SQLite schema, migrations
VUELTA = 30  # seconds for a killed child to be back (its first restart waits 1 s)


def _puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _vivo(pid: int) -> bool:
    """Whether `pid` runs; a zombie has exited, it only waits for its parent to reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


@dataclass
class Corrida:
    proceso: subprocess.Popen
    log: Path
    datos: Path
    api_port: int
    temporal_port: int

    def salida(self) -> str:
        return self.log.read_text(errors="replace")

    def pids(self, nombre: str) -> list[int]:
        """Every pid the supervisor started `nombre` with, oldest first."""
        return [int(p) for p in re.findall(rf"started {nombre} \(pid (\d+)\)", self.salida())]

    def pid(self, nombre: str) -> int:
        return self.pids(nombre)[-1]

    def salud(self) -> int | None:
        """Status of GET /health; None when nothing answers on the API's port."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.api_port}/health", timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return None

    def esperar(self, condicion: Callable[[], bool], segundos: float, que: str) -> None:
        limite = time.monotonic() + segundos
        while not condicion():
            assert self.proceso.poll() is None, f"supervisor exited waiting for {que}:\n{self.cola()}"
            if time.monotonic() > limite:
                pytest.fail(f"no {que} after {segundos}s; supervisor log:\n{self.cola()}")
            time.sleep(0.1)

    def cola(self) -> str:
        return "\n".join(self.salida().splitlines()[-40:])


@pytest.fixture
def corrida(tmp_path: Path) -> Iterator[Corrida]:
    datos = tmp_path / "datos"
    env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    env |= {
        "DATA_DIR": str(datos),
        "UPLOADS_DIR": str(datos / "uploads"),
        "DEMO_DATA": "false",
        "API_PORT": str(_puerto_libre()),
        "TEMPORAL_PORT": str(_puerto_libre()),
        "TEMPORAL_UI_PORT": str(_puerto_libre()),
    }
    log = tmp_path / "supervisor.log"
    with log.open("wb") as salida:
        # In tmp_path: no `.env` of the repository is read.
        proceso = subprocess.Popen(
            [sys.executable, "-m", "ops.run"], cwd=tmp_path, env=env, stdout=salida, stderr=salida
        )
    run = Corrida(proceso, log, datos, int(env["API_PORT"]), int(env["TEMPORAL_PORT"]))
    try:
        yield run
    finally:
        if proceso.poll() is None:
            proceso.kill()
            proceso.wait()
        # Whatever a failed run left: the children it logged and anything running on its data directory.
        hijos = [pid for nombre in ("api", "worker", "temporal", "postgres") for pid in run.pids(nombre)]
        for pid in [*hijos, *_usan(datos)]:
            if _vivo(pid):
                os.kill(pid, signal.SIGKILL)


def _matar(run: Corrida, nombre: str, mientras: Callable[[], object] = lambda: None, espera: int = 1) -> int:
    """kill -9 the child and wait until the supervisor has started a new one, calling `mientras` at every
    poll; return the new pid. `espera`: the restart delay the supervisor must announce."""
    viejo = run.pid(nombre)
    os.kill(viejo, signal.SIGKILL)

    def vuelto() -> bool:
        mientras()
        return run.pid(nombre) != viejo

    run.esperar(vuelto, VUELTA, f"new {nombre} after kill -9 of pid {viejo}")
    assert not _vivo(viejo)
    anuncio = rf"{nombre} exited with code \S+; restarting it in {espera}s"
    assert len(re.findall(anuncio, run.salida())) == 1, f"no single {anuncio!r} in:\n{run.cola()}"
    return run.pid(nombre)


def _sondea(run: Corrida, pid: int) -> bool:
    """Whether the worker with this pid polls the task queue (a worker's identity is pid@host)."""
    comando = [temporal_cli(), "task-queue", "describe", "--task-queue", "pendientes"]
    comando += ["--address", f"127.0.0.1:{run.temporal_port}"]
    salida = subprocess.run(comando, capture_output=True, text=True, timeout=20).stdout
    return re.search(rf"\b{pid}@", salida) is not None


def _worker_vivo(run: Corrida, cola: str = "pendientes") -> int:
    """Exit code of the compose file's worker healthcheck, run here against the supervisor's Temporal."""
    _, python, *argumentos = load_compose()["services"]["worker"]["healthcheck"]["test"]
    assert python == "python"
    env = os.environ | {
        "TEMPORAL_ADDRESS": f"127.0.0.1:{run.temporal_port}",
        "TEMPORAL_NAMESPACE": "default",
        "TEMPORAL_TASK_QUEUE": cola,
    }
    return subprocess.run([sys.executable, *argumentos], env=env, capture_output=True, timeout=30).returncode


def test_a_killed_child_comes_back_and_sigterm_leaves_nothing(corrida: Corrida) -> None:
    run = corrida
    run.esperar(lambda: run.salud() == 200, ARRANQUE, "/health 200 after start-up")
    api = run.pid("api")
    # The compose file's worker healthcheck passes for a polling worker, and fails for a queue nobody polls.
    run.esperar(lambda: _worker_vivo(run) == 0, VUELTA, "the compose worker healthcheck passing")
    assert _worker_vivo(run, cola="nadie-la-escucha") == 1

    # The API goes on serving while the worker is down, and the new worker polls Temporal again.
    respuestas: list[int | None] = []
    worker = _matar(run, "worker", mientras=lambda: respuestas.append(run.salud()))
    assert set(respuestas) == {200} and run.pid("api") == api
    run.esperar(lambda: _sondea(run, worker), VUELTA, f"restarted worker {worker} polling Temporal")
    # A second crash soon after waits twice as long.
    worker = _matar(run, "worker", espera=2)

    _matar(run, "api")
    run.esperar(lambda: run.salud() == 200, VUELTA, "/health 200 on the same port after the API's restart")

    for dependencia in ("temporal", "postgres"):
        respuestas = []
        _matar(run, dependencia, mientras=lambda r=respuestas: r.append(run.salud()))
        run.esperar(lambda: run.salud() == 200, VUELTA, f"/health 200 after {dependencia}'s restart")
        assert 503 in respuestas, f"/health never said 503 while {dependencia} was down: {respuestas}"
    run.esperar(lambda: _sondea(run, worker), VUELTA, "the worker polling the restarted Temporal")

    hijos = {nombre: run.pids(nombre) for nombre in ("api", "worker", "temporal", "postgres")}
    assert [len(pids) for pids in hijos.values()] == [2, 3, 2, 2], hijos
    run.proceso.send_signal(signal.SIGTERM)
    assert run.proceso.wait(timeout=60) == 0, run.cola()
    quedan = [f"{nombre} {pid}" for nombre, pids in hijos.items() for pid in pids if _vivo(pid)]
    assert quedan == [], f"left behind after SIGTERM: {quedan}"
    assert _usan(run.datos) == {}, "processes still running on the data directory"


def _usan(directorio: Path) -> dict[int, str]:
    """Live processes whose command line names `directorio` (postgres -D, temporal --db-filename)."""
    usan = {}
    for proc in Path("/proc").iterdir():
        try:
            linea = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(directorio) in linea and proc.name.isdigit() and _vivo(int(proc.name)):
            usan[int(proc.name)] = linea
    return usan
