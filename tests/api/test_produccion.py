"""Issue 9 §5, production: no interactive docs unless enabled, security headers on every answer (the
500 one included), HSTS in production only, and no `server:` header from the uvicorn the product runs."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest
import uvicorn
from uvicorn.main import main as uvicorn_cli

from api.main import create_app
from ops.run import comando_api
from tests.deploy.test_compose import dockerfile_cmd

SIEMPRE = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}
UN_ANIO = "max-age=31536000"
DOCS = ("/docs", "/redoc", "/openapi.json")


def cliente(app) -> httpx.AsyncClient:
    # raise_app_exceptions=False: the 500 answer is read like any other, as a real client would.
    transporte = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transporte, base_url="http://pendientes.test")


def app_en(settings, temporal_env, **cambios):
    """An app built with other settings (no lifespan: these answers need neither Postgres nor Temporal)."""
    app = create_app(settings.model_copy(update=cambios), temporal=temporal_env.client)

    @app.get("/prueba/falla", include_in_schema=False)
    async def falla():
        raise RuntimeError("fallo inesperado de prueba")

    return app


def cabeceras_de_seguridad(r: httpx.Response) -> dict[str, str]:
    return {nombre: r.headers.get(nombre) for nombre in SIEMPRE}


async def test_en_produccion_no_hay_documentacion_interactiva(settings, temporal_env):
    async with cliente(app_en(settings, temporal_env, environment="production")) as http:
        for ruta in DOCS:
            r = await http.get(ruta)
            assert r.status_code == 404, ruta
            assert r.json()["code"] == 404


async def test_en_produccion_la_documentacion_se_habilita_con_un_ajuste(settings, temporal_env):
    app = app_en(settings, temporal_env, environment="production", api_docs_enabled=True)
    async with cliente(app) as http:
        for ruta in DOCS:
            assert (await http.get(ruta)).status_code == 200, ruta


async def test_en_desarrollo_hay_documentacion_y_se_puede_apagar(settings, temporal_env, http):
    for ruta in DOCS:
        assert (await http.get(ruta)).status_code == 200, ruta
    async with cliente(app_en(settings, temporal_env, api_docs_enabled=False)) as apagada:
        for ruta in DOCS:
            assert (await apagada.get(ruta)).status_code == 404, ruta


async def test_cabeceras_de_seguridad_en_cada_respuesta(http, h):
    respuestas = [
        await http.get("/health"),
        await http.get("/api/pendientes/filtros", headers=h["tecnico"]),
        await http.get("/api/pendientes/filtros"),  # 401
        await http.get("/api/pendientes/0", headers=h["tecnico"]),  # 422
        await http.get("/no/existe"),  # 404
        await http.post("/auth", json={"dni": "10000001", "password": "mala-clave-x"}),  # 401
    ]
    for r in respuestas:
        assert cabeceras_de_seguridad(r) == SIEMPRE, (r.request.url, r.status_code, dict(r.headers))
        # Development is plain HTTP on a laptop: no HSTS there.
        assert "strict-transport-security" not in r.headers


async def test_en_produccion_hsts_y_las_cabeceras_tambien_en_el_500(settings, temporal_env):
    async with cliente(app_en(settings, temporal_env, environment="production")) as http:
        for ruta, estado in (("/docs", 404), ("/prueba/falla", 500)):
            r = await http.get(ruta)
            assert r.status_code == estado, r.text
            assert cabeceras_de_seguridad(r) == SIEMPRE
            assert r.headers["strict-transport-security"] == UN_ANIO
        sobre = {"success": False, "code": 500, "message": "error interno del servidor", "data": None}
        assert r.json() == sobre  # the envelope, no trace of the exception
    app = app_en(settings, temporal_env, environment="production", hsts_max_age_seconds=0)
    async with cliente(app) as http:
        assert "strict-transport-security" not in (await http.get("/docs")).headers


def _opciones_uvicorn(comando: list[str]) -> dict:
    """What uvicorn's own command line makes of the arguments after the app path."""
    argumentos = comando[comando.index("api.main:app") :]
    return uvicorn_cli.make_context("uvicorn", argumentos).params


@pytest.mark.parametrize("origen", ["run", "Dockerfile"])
async def test_uvicorn_del_producto_no_envia_cabecera_server(app, settings, origen):
    """The uvicorn options of `make run` (ops/run.py) and of the image's CMD, applied to a real
    uvicorn serving the app: no `server:` header (uvicorn's default sends `server: uvicorn`)."""
    comando = comando_api(settings) if origen == "run" else dockerfile_cmd()
    opciones = _opciones_uvicorn(comando)
    escucha = socket.socket()
    escucha.bind(("127.0.0.1", 0))
    escucha.listen()
    puerto = escucha.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", log_level="warning", server_header=opciones["server_header"])
    servidor = uvicorn.Server(config)
    tarea = asyncio.create_task(servidor.serve(sockets=[escucha]))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{puerto}", timeout=10) as http:
            r = await http.get("/health")
        assert r.status_code == 200, r.text
        assert "server" not in r.headers, dict(r.headers)
        assert cabeceras_de_seguridad(r) == SIEMPRE
    finally:
        servidor.should_exit = True
        await asyncio.wait_for(tarea, 10)
        escucha.close()
