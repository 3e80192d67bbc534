"""The product as an operator runs it: `python -m ops.run` (the supervisor) in a data directory of
its own, on free loopback ports, with no demo data and the reconciler's Schedule off (the chaos run
reconciles by itself, after measuring). Children are found by the supervisor's "started <name> (pid N)"
log lines; stopping leaves no process behind."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from infra.config import Settings

ARRANQUE = 120  # seconds for a cold start: initdb, Temporal's SQLite schema, migrations
HIJOS = ("api", "worker", "temporal", "postgres")


def puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vivo(pid: int) -> bool:
    """Whether `pid` runs; a zombie has exited, it only waits for its parent to reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def usan(directorio: Path) -> list[int]:
    """Live processes whose command line names `directorio` (postgres -D, temporal --db-filename)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            linea = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(directorio) in linea and vivo(int(proc.name)):
            pids.append(int(proc.name))
    return pids


@dataclass
class Pila:
    directorio: Path
    api_port: int = field(default_factory=puerto_libre)
    temporal_port: int = field(default_factory=puerto_libre)
    espera_update: float = 10.0
    demo: bool = False  # the demo's users and pendientes (the benchmarks log in as its people)
    entorno: dict[str, str] = field(default_factory=dict)  # more settings for every child (e.g. the cache)
    proceso: subprocess.Popen | None = None

    @property
    def datos(self) -> Path:
        return self.directorio / "datos"

    @property
    def log(self) -> Path:
        return self.directorio / "supervisor.log"

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def temporal(self) -> str:
        return f"127.0.0.1:{self.temporal_port}"

    def arrancar(self) -> None:
        env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
        env |= {
            "DATA_DIR": str(self.datos),
            "UPLOADS_DIR": str(self.datos / "uploads"),
            "DEMO_DATA": "true" if self.demo else "false",
            "RECONCILIADOR_MINUTOS": "0",
            "UPDATE_TIMEOUT_SECONDS": str(self.espera_update),
            "API_PORT": str(self.api_port),
            "TEMPORAL_PORT": str(self.temporal_port),
            "TEMPORAL_UI_PORT": str(puerto_libre()),
        } | self.entorno
        self.directorio.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as salida:
            # cwd is the run's directory: no `.env` of a checkout is read.
            self.proceso = subprocess.Popen(
                [sys.executable, "-m", "ops.run"],
                cwd=self.directorio,
                env=env,
                stdout=salida,
                stderr=salida,
                start_new_session=True,
            )
        self.esperar(lambda: self.salud() == 200, ARRANQUE, "/health 200 after start-up")

    def salida(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def cola(self, lineas: int = 30) -> str:
        return "\n".join(self.salida().splitlines()[-lineas:])

    def pids(self, nombre: str) -> list[int]:
        return [int(p) for p in re.findall(rf"started {nombre} \(pid (\d+)\)", self.salida())]

    def pid(self, nombre: str) -> int:
        return self.pids(nombre)[-1]

    def salud(self) -> int | None:
        try:
            with urllib.request.urlopen(f"{self.api}/health", timeout=5) as r:
                return r.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return None

    def esperar(self, condicion, segundos: float, que: str) -> None:
        limite = time.monotonic() + segundos
        while not condicion():
            if self.proceso is not None and self.proceso.poll() is not None:
                raise RuntimeError(f"the supervisor exited waiting for {que}:\n{self.cola()}")
            if time.monotonic() > limite:
                raise TimeoutError(f"no {que} after {segundos}s; supervisor log:\n{self.cola()}")
            time.sleep(0.1)

    def database_url(self) -> str:
        from pgserver.utils import PostmasterInfo

        info = PostmasterInfo.read_from_pgdata((self.datos / "postgres").resolve())
        if info is None:
            raise RuntimeError("the embedded Postgres is not running")
        return info.get_uri(database="pendientes")

    def matar(self, nombre: str) -> int:
        """kill -9 the child `nombre`; return its pid. The supervisor brings it back by itself."""
        pid = self.pid(nombre)
        os.kill(pid, signal.SIGKILL)
        return pid

    def esperar_vuelta(self, nombre: str, viejo: int, segundos: float = 60) -> None:
        """Until the supervisor has started a new `nombre` and /health answers 200."""
        self.esperar(lambda: self.pid(nombre) != viejo, segundos, f"new {nombre} after kill -9 of {viejo}")
        self.esperar(lambda: self.salud() == 200, segundos, f"/health 200 after {nombre} came back")

    def detener(self) -> list[str]:
        """SIGTERM to the supervisor (it stops its children in order), then kill -9 whatever is left.
        Returns what had to be killed by force."""
        forzados = []
        if self.proceso is not None and self.proceso.poll() is None:
            self.proceso.send_signal(signal.SIGTERM)
            try:
                self.proceso.wait(timeout=60)
            except subprocess.TimeoutExpired:
                forzados.append(f"supervisor {self.proceso.pid}")
                self.proceso.kill()
                self.proceso.wait()
        hijos = [(nombre, pid) for nombre in HIJOS for pid in self.pids(nombre)]
        for nombre, pid in [*hijos, *(("data dir", pid) for pid in usan(self.datos))]:
            if vivo(pid):
                forzados.append(f"{nombre} {pid}")
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        return forzados
