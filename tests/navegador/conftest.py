"""The real app over HTTP for a real browser: uvicorn on a free loopback port inside the test session,
on the session's fixtures (Postgres, Temporal dev server, the worker), and Debian's chromium driven by
Playwright. A missing chromium fails these tests: `make test` installs it (Makefile)."""

from __future__ import annotations

import asyncio
import shutil
import socket
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import async_playwright, expect
from sqlalchemy import select

from db import models as m
from domain.zona import LIMA
from ops.demo import PASSWORD_DEMO, USUARIOS, personas_demo

ESPERA = 30  # seconds the listener may take to start
# Assertions wait as long as actions do (tests/navegador runs on loaded 2-core CI machines too).
expect.set_options(timeout=30_000)
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
        # Generous: a loaded 2-core CI machine hashes the login's password and serves the page slowly;
        # a wait that runs out is a failure, so it must not be one of speed.
        c.set_default_timeout(45_000)
        abiertos.append(c)
        return c

    yield _contexto
    for c in abiertos:
        await c.close()


@pytest.fixture(scope="session")
async def personas(sessions, demo):
    return await personas_demo(sessions)


def dni_de(rol: str, orden: int = 0) -> str:
    """The demo user of `rol` (the `orden`-th one: two technicians)."""
    return [dni for dni, r, *_ in USUARIOS if r == rol][orden]


async def ingresar(pagina, rol: str, orden: int = 0, destino: str = "/tablero/login") -> None:
    """Log in through the login form, as a person does."""
    await pagina.goto(destino)
    await pagina.get_by_label("DNI").fill(dni_de(rol, orden))
    await pagina.get_by_label("Contraseña").fill(PASSWORD_DEMO)
    async with pagina.expect_navigation():  # then the landing page's scripts have run
        await pagina.get_by_role("button", name="Ingresar").click()


async def captura(pagina, nombre: str) -> Path:
    """A screenshot of the whole page in tests/artefactos/ (not committed)."""
    ARTEFACTOS.mkdir(exist_ok=True)
    destino = ARTEFACTOS / f"{nombre}.png"
    await pagina.screenshot(path=str(destino), full_page=True)
    return destino


@pytest.fixture
def nuevo_pendiente(http, h, sessions):
    """Factory: a pendiente made through the API by the coordinadora, at an address of its own so a board
    filtered by it (`?texto=`) shows just this one whatever else the session created."""
    detalles = {
        "AVERIA": {"descripcionFalla": "sin señal desde la mañana"},
        "INSTALACION_INTERNET": {"velocidadSolicitada": "100 Mbps", "costoFijo": 47.0},
        "INSTALACION_CAMARAS": {},
        "RECOJO_DISPOSITIVOS": {"dispositivo": "ROUTER"},
        "TRASLADO": {"lugarDestino": "PUNO"},
    }

    async def _nuevo(tipo: str = "AVERIA", cliente: int = 0, **extra) -> dict:
        async with sessions() as s:
            ids = list(await s.scalars(select(m.Cliente.id).order_by(m.Cliente.id)))
        manana = datetime.now(LIMA).date() + timedelta(days=1)
        cuerpo = {
            "clienteId": ids[cliente],
            "tipo": tipo,
            "lugar": "JULIACA",
            "prioridad": "URGENTE",
            "fechaPendiente": f"{manana:%Y-%m-%d}T09:00:00",
            "direccion": f"Jr. Prueba {uuid.uuid4().hex[:10]}",
            "detalle": detalles[tipo],
        } | extra
        r = await http.post("/api/pendientes", json=cuerpo, headers=h["coordinadora"])
        assert r.status_code == 201, r.text
        return r.json()["data"]

    return _nuevo
