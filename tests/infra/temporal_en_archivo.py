"""A Temporal dev server as `make run` starts it (infra/local.comando_temporal_dev, on a database file),
on its own free port, that a test can stop (SIGTERM), kill (-9) and start again on the same file."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from infra.local import comando_temporal_dev, esperar_puerto


def puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServidorEnArchivo:
    def __init__(self, archivo: Path) -> None:
        self.archivo = archivo
        self.puerto = puerto_libre()
        self._comando = comando_temporal_dev(self.puerto, None, archivo)
        self._procesos: list[subprocess.Popen] = []

    @property
    def direccion(self) -> str:
        return f"127.0.0.1:{self.puerto}"

    def arrancar(self) -> str:
        proceso = subprocess.Popen(self._comando, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._procesos.append(proceso)
        esperar_puerto(self.puerto, 30, proceso)
        return self.direccion

    def parar(self) -> None:
        self._procesos[-1].terminate()
        self._procesos[-1].wait(timeout=20)

    def matar(self) -> None:
        os.kill(self._procesos[-1].pid, signal.SIGKILL)
        self._procesos[-1].wait(timeout=10)

    def cerrar(self) -> None:
        for proceso in self._procesos:
            if proceso.poll() is None:
                proceso.kill()
                proceso.wait(timeout=10)


async def conectar(direccion: str) -> Client:
    """A client of a server that just started: its port opens before its frontend is healthy, and on a
    loaded machine the gap can outlast the SDK's first try."""
    reloj = asyncio.get_running_loop()
    limite = reloj.time() + 60
    while True:
        try:
            return await Client.connect(direccion, data_converter=pydantic_data_converter)
        except RuntimeError:
            if reloj.time() > limite:
                raise
            await asyncio.sleep(0.5)
