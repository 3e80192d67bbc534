"""A pooled connection Postgres has closed (pg_terminate_backend: a restart, a failover, an admin) costs
at most one 503 that the client may retry, never a 500; the next request works. The API pings only a
connection idle for a while (db/engine.ping_after_idle), so one idle that long is replaced before use
and its request does not fail at all."""

from __future__ import annotations

import asyncio

import httpx
import psycopg
import pytest
from sqlalchemy import text

import api.main
from api.main import create_app
from infra.config import to_sqlalchemy_url
from tests.conftest import auth


@pytest.fixture
async def propia(settings, temporal_env, worker, demo, tokens):
    """A fresh app of its own (its own pool), so killing its connections touches no other test."""

    async def _propia():
        app = create_app(settings, temporal=temporal_env.client)
        contexto = app.router.lifespan_context(app)
        await contexto.__aenter__()
        abiertas.append(contexto)
        cliente = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://pendientes.test")
        clientes.append(cliente)
        return app, cliente

    abiertas, clientes = [], []
    yield _propia
    for cliente in clientes:
        await cliente.aclose()
    for contexto in abiertas:
        await contexto.__aexit__(None, None, None)


async def _cortar_la_conexion_del_pool(app, settings) -> None:
    """Terminate the connection the app's next request takes (the pool hands out its newest first)."""
    async with app.state.lecturas() as s:
        pid = await s.scalar(text("SELECT pg_backend_pid()"))
    url = to_sqlalchemy_url(settings.database_url).replace("postgresql+psycopg://", "postgresql://", 1)
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as pg:
        cortada = await (await pg.execute("SELECT pg_terminate_backend(%s)", (pid,))).fetchone()
        assert cortada == (True,)
    await asyncio.sleep(0.2)  # the backend is gone before the next request


RUTAS = ("/api/pendientes?size=3", "/api/pendientes/filtros")


@pytest.mark.parametrize("ruta", RUTAS)
async def test_conexion_cortada_da_a_lo_sumo_un_503_y_luego_responde(propia, settings, tokens, ruta):
    app, http = await propia()
    cabeceras = auth(tokens["coordinadora"])
    assert (await http.get(ruta, headers=cabeceras)).status_code == 200

    await _cortar_la_conexion_del_pool(app, settings)
    r = await http.get(ruta, headers=cabeceras)
    assert r.status_code in (200, 503), r.text
    if r.status_code == 503:
        assert r.json() == {
            "success": False,
            "code": 503,
            "message": "la base de datos no está disponible; reintente en unos segundos",
            "data": None,
        }
    for _ in range(3):
        assert (await http.get(ruta, headers=cabeceras)).status_code == 200


async def test_una_accion_sobre_una_conexion_cortada_no_da_500(propia, settings, tokens):
    app, http = await propia()
    cabeceras = auth(tokens["tecnico"])
    assert (await http.get("/api/pendientes?size=1", headers=cabeceras)).status_code == 200
    await _cortar_la_conexion_del_pool(app, settings)
    # An unknown pendiente: the visibility check is the first statement after the caller's reload.
    r = await http.post("/api/pendientes/999999999/acciones/pausar", headers=cabeceras)
    assert r.status_code in (404, 503), r.text
    assert (
        await http.post("/api/pendientes/999999999/acciones/pausar", headers=cabeceras)
    ).status_code == 404


async def test_una_conexion_ociosa_cortada_se_reemplaza_sin_fallar(propia, settings, tokens, monkeypatch):
    monkeypatch.setattr(api.main, "API_PING_AFTER_IDLE_SECONDS", 0.1)
    app, http = await propia()
    cabeceras = auth(tokens["coordinadora"])
    assert (await http.get("/api/pendientes?size=3", headers=cabeceras)).status_code == 200
    await _cortar_la_conexion_del_pool(app, settings)  # and it stays idle longer than 0.1 s
    r = await http.get("/api/pendientes?size=3", headers=cabeceras)
    assert r.status_code == 200, r.text
