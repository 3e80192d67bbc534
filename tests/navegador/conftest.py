"""The real app over HTTP for a real browser: uvicorn on a free loopback port inside the test session,
on the session's fixtures (Postgres, Temporal dev server, the worker), and Debian's chromium driven by
Playwright. A missing chromium fails these tests: `make test` installs it (Makefile)."""

from __future__ import annotations

import asyncio
import shutil
import socket
from pathlib import Path

import pytest
import uvicorn

ESPERA = 10  # seconds the listener may take to start
ARTEFACTOS = Path(__file__).resolve().parents[1] / "artefactos"


@pytest.fixture(scope="session")
async def servidor_web(app):
    """`http://127.0.0.1:<port>`: the session's app behind a real uvicorn (streams and browsers need a
    real server). The socket listens before uvicorn starts, so a client may connect at once."""
    escucha = socket.socket()
    escucha.bind(("127.0.0.1", 0))
    escucha.listen()
    puerto = escucha.getsockname()[1]
    servidor = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
    tarea = asyncio.create_task(servidor.serve(sockets=[escucha]))
    try:
        await asyncio.wait_for(app.state.difusor.escuchando.wait(), ESPERA)
    except TimeoutError:
        raise AssertionError(f"the Postgres listener did not LISTEN within {ESPERA} s") from None
    yield f"http://127.0.0.1:{puerto}"
    # Open event streams never end by themselves: don't wait for them.
    servidor.force_exit = servidor.should_exit = True
    await asyncio.wait_for(tarea, ESPERA)
    escucha.close()


@pytest.fixture(scope="session")
async def navegador(servidor_web):
    """Headless Debian chromium (never a browser downloaded by Playwright)."""
    from playwright.async_api import async_playwright

    ejecutable = shutil.which("chromium")
    assert ejecutable, "chromium is not installed: `make test` installs it (apt-get install chromium)"
    async with async_playwright() as p:
        navegador = await p.chromium.launch(executable_path=ejecutable, args=["--no-sandbox"])
        yield navegador
        await navegador.close()


@pytest.fixture
async def contexto(navegador, servidor_web):
    """Factory: a new browser context (own cookies) on the app, phone-sized on request; all closed at the
    end of the test."""
    abiertos = []

    async def _contexto(ancho: int = 1366, alto: int = 900):
        c = await navegador.new_context(base_url=servidor_web, viewport={"width": ancho, "height": alto})
        c.set_default_timeout(15_000)
        abiertos.append(c)
        return c

    yield _contexto
    for c in abiertos:
        await c.close()
