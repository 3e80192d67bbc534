"""`GET /metrics`: refused to anyone but an administrator or the holder of METRICS_TOKEN; Prometheus text
with the HTTP series labelled by route template, and business gauges that match Postgres."""

from __future__ import annotations

import re
import secrets

import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import text

from api.main import create_app
from tests.conftest import auth


def familias(cuerpo: str) -> dict[str, list]:
    """Samples by family name, as Prometheus would parse the answer."""
    return {f.name: f.samples for f in text_string_to_metric_families(cuerpo)}


def valor(muestras, nombre: str, **etiquetas) -> float:
    coincidentes = [s.value for s in muestras if s.name == nombre and etiquetas.items() <= s.labels.items()]
    assert len(coincidentes) == 1, (nombre, etiquetas, muestras)
    return coincidentes[0]


async def test_metrics_no_es_publico(http, h):
    for cabeceras in ({}, {"Authorization": "Bearer no-es-un-token"}, {"Authorization": "Basic eDp5"}):
        r = await http.get("/metrics", headers=cabeceras)
        assert r.status_code == 401, r.text
        assert r.json()["success"] is False and "http_requests" not in r.text
    # A valid user without ADMINISTRAR: the 403 names the permission.
    for rol in ("coordinadora", "tecnico", "asesor"):
        r = await http.get("/metrics", headers=h[rol])
        assert r.status_code == 403, r.text
        assert "ADMINISTRAR" in r.json()["message"]


async def test_el_administrador_ve_las_series_por_plantilla_de_ruta(http, h, crear):
    pendiente_id = await crear()
    assert (await http.get(f"/api/pendientes/{pendiente_id}", headers=h["coordinadora"])).status_code == 200
    assert (await http.get("/api/pendientes/999999999", headers=h["coordinadora"])).status_code == 404
    assert (await http.get("/no/existe/123")).status_code == 404
    assert (await http.request("INVENTADO", "/health")).status_code == 405

    r = await http.get("/metrics", headers=h["administrador"])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    f = familias(r.text)
    # Counters are exposed as <name>_total; the family keeps the bare name.
    peticiones = f["http_requests"]
    ruta = "/api/pendientes/{id}"
    assert valor(peticiones, "http_requests_total", method="GET", route=ruta, status="200") >= 1
    assert valor(peticiones, "http_requests_total", method="GET", route=ruta, status="404") >= 1
    # Never a raw path: no id in any label, unknown paths share one series.
    rutas = {s.labels["route"] for s in peticiones}
    assert not any(str(pendiente_id) in x or "999999999" in x or "/no/existe" in x for x in rutas), rutas
    assert "<sin ruta>" in rutas
    assert {s.labels["method"] for s in peticiones} <= {"GET", "POST", "PUT", "PATCH", "DELETE", "OTHER"}
    assert valor(peticiones, "http_requests_total", method="OTHER", route="/health", status="405") >= 1
    latencia = f["http_request_duration_seconds"]
    assert valor(latencia, "http_request_duration_seconds_count", method="GET", route=ruta) >= 2
    assert valor(latencia, "http_request_duration_seconds_bucket", method="GET", route=ruta, le="+Inf") >= 2
    # The scrape itself is in flight while it is answered.
    assert valor(f["http_requests_in_progress"], "http_requests_in_progress") >= 1
    for nombre in ("pendientes_abiertos", "pendientes_vencidos", "pendientes_sla_incumplidos"):
        assert nombre in f
    assert "webhook_entregas_pendientes" in f


ABIERTOS_SQL = """SELECT estado, count(*) FROM pendientes
                  WHERE vigente AND estado <> 'FINALIZADO' AND estado <> 'CANCELADO' GROUP BY estado"""
OTROS_SQL = """SELECT
    (SELECT count(*) FROM pendientes WHERE vigente AND vencido
        AND estado NOT IN ('FINALIZADO', 'CANCELADO')),
    (SELECT count(*) FROM pendientes WHERE vigente AND estado_sla = 'INCUMPLIDO'
        AND estado NOT IN ('FINALIZADO', 'CANCELADO')),
    (SELECT count(*) FROM entregas WHERE estado = 'PENDIENTE')"""


async def _contar(sessions) -> tuple[dict[str, int], tuple[int, int, int]]:
    async with sessions() as s:
        abiertos = {estado: total for estado, total in (await s.execute(text(ABIERTOS_SQL))).all()}
        otros = tuple((await s.execute(text(OTROS_SQL))).one())
    return abiertos, otros


async def _negocio(http, h) -> tuple[dict[str, int], tuple[int, int, int]]:
    f = familias((await http.get("/metrics", headers=h["administrador"])).text)
    abiertos = {s.labels["estado"]: int(s.value) for s in f["pendientes_abiertos"]}
    nombres = ("pendientes_vencidos", "pendientes_sla_incumplidos", "webhook_entregas_pendientes")
    otros = tuple(int(f[n][0].value) for n in nombres)
    return abiertos, otros


async def test_los_indicadores_de_negocio_cuadran_con_postgres(http, h, crear, sessions):
    antes, _ = await _negocio(http, h)
    for estado in ("REGISTRADO", "REGISTRADO", "ASIGNADO", "CANCELADO", "FINALIZADO"):
        await crear(estado)
    # Workflows of other tests may move on between two reads: compare a scrape bracketed by two equal counts.
    for _ in range(5):
        contado = await _contar(sessions)
        medido = await _negocio(http, h)
        if await _contar(sessions) == contado:
            break
    abiertos, otros = medido
    # Every open estado has its series (0 included); closed ones have none.
    assert set(abiertos) == {"REGISTRADO", "ASIGNADO", "EN_PROGRESO", "PAUSADO", "REVISION"} | {
        "POR_VALIDAR",
        "OBSERVADO",
        "POSTERGADO",
    }
    assert {e: n for e, n in abiertos.items() if n} == contado[0]
    assert otros == contado[1]
    assert abiertos["REGISTRADO"] >= antes["REGISTRADO"] + 2
    assert abiertos["ASIGNADO"] >= antes["ASIGNADO"] + 1


@pytest.fixture
async def app_con_token(settings, temporal_env, worker, demo):
    token = secrets.token_urlsafe(32)
    con_token = settings.model_copy(update={"metrics_token": SecretStr(token)})
    app = create_app(con_token, temporal=temporal_env.client)
    async with app.router.lifespan_context(app):
        yield app, token


async def test_prometheus_entra_con_metrics_token(app_con_token, tokens):
    import httpx

    app, token = app_con_token
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        r = await http.get("/metrics", headers=auth(token))
        assert r.status_code == 200, r.text
        assert re.search(r'^pendientes_abiertos\{estado="REGISTRADO"\} \d+', r.text, re.M)
        assert (await http.get("/metrics", headers=auth(token[:-1] + "x"))).status_code == 401
        assert (await http.get("/metrics", headers={"Authorization": f"Basic {token}"})).status_code == 401
        # The administrators' tokens keep working beside it.
        assert (await http.get("/metrics", headers=auth(tokens["administrador"]))).status_code == 200
