"""GET /health reports whether Postgres and Temporal are reachable (503 when either is down)."""

from __future__ import annotations

import httpx

from api.main import create_app
from infra.temporal import connect


async def _salud(app) -> httpx.Response:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get("/health")


async def test_salud_con_todo_arriba(http):
    r = await http.get("/health")
    assert r.status_code == 200
    assert r.json()["data"] == {"postgres": "ok", "temporal": "ok"}


async def test_salud_503_si_temporal_no_responde(settings):
    sin_temporal = settings.model_copy(update={"temporal_address": "127.0.0.1:1"})
    r = await _salud(create_app(sin_temporal, temporal=await connect(sin_temporal, lazy=True)))
    assert r.status_code == 503
    assert r.json()["data"] == {"postgres": "ok", "temporal": "caido"}


async def test_salud_503_si_postgres_no_responde(settings, temporal_env):
    sin_pg = settings.model_copy(update={"database_url": "postgresql://nadie@127.0.0.1:1/nada"})
    r = await _salud(create_app(sin_pg, temporal=temporal_env.client))
    assert r.status_code == 503
    assert r.json()["data"] == {"postgres": "caido", "temporal": "ok"}
