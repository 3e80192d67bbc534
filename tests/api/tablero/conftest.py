"""A browser-like HTTP client for the board: its own cookie jar, no redirects followed by itself."""

from __future__ import annotations

import re

import httpx
import pytest

from ops.demo import PASSWORD_DEMO, USUARIOS


def dni_de(rol: str) -> str:
    return next(dni for dni, r, *_ in USUARIOS if r == rol)


def csrf_de(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


@pytest.fixture
async def navegante(app):
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://pendientes.test"
    ) as c:
        yield c


@pytest.fixture
def ingresar(navegante):
    async def _ingresar(rol: str, cliente: httpx.AsyncClient | None = None) -> httpx.Response:
        c = cliente or navegante
        formulario = await c.get("/tablero/login")
        datos = {"dni": dni_de(rol), "password": PASSWORD_DEMO, "csrf": csrf_de(formulario.text)}
        return await c.post("/tablero/login", data=datos)

    return _ingresar


@pytest.fixture(scope="session")
async def personas(sessions, demo):
    from ops.demo import personas_demo

    return await personas_demo(sessions)
