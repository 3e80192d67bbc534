import asyncio
import socket

import pytest
import uvicorn

from tests.api.pendientes.acciones.conftest import crear, historial, personas  # noqa: F401

ESPERA = 10  # seconds a notification (or a socket's closing) may take before the test fails


@pytest.fixture(scope="module")
async def servidor(app):
    """The same app behind a real uvicorn on a loopback port (WebSockets need a real server). The socket
    listens before uvicorn starts, so a client may connect at once: no waiting for startup."""
    escucha = socket.socket()
    escucha.bind(("127.0.0.1", 0))
    escucha.listen()
    puerto = escucha.getsockname()[1]
    servidor = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
    tarea = asyncio.create_task(servidor.serve(sockets=[escucha]))
    try:
        await asyncio.wait_for(app.state.difusor.escuchando.wait(), ESPERA)
    except TimeoutError:
        raise AssertionError(f"the notification listener did not LISTEN within {ESPERA} s") from None
    yield f"ws://127.0.0.1:{puerto}/ws"
    servidor.should_exit = True
    await asyncio.wait_for(tarea, ESPERA)
    escucha.close()
