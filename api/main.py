"""The FastAPI application. `uvicorn api.main:app`."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from temporalio.client import Client

from api.catalogo import rutas_app_version as app_version
from api.catalogo import rutas_catalogos as catalogos
from api.catalogo import rutas_productos as productos
from api.clientes import rutas as clientes
from api.comun.observacion import MetricasHttp, Observacion, Plantillas
from api.comun.registro import instalar_filtro
from api.comun.respuesta import instalar_manejadores
from api.etiquetas import rutas as etiquetas
from api.identidad import rutas_auth as auth
from api.identidad import rutas_empleados as empleados
from api.identidad import rutas_usuarios as usuarios
from api.notas import rutas as notas
from api.operaciones import rutas_metricas as metricas
from api.operaciones import rutas_reconciliaciones as reconciliaciones
from api.operaciones import rutas_salud as salud
from api.pagos import rutas as pagos
from api.pdf import rutas as pdf
from api.pendientes import rutas as pendientes
from api.pendientes import rutas_acciones as acciones
from api.pendientes import rutas_detalles as detalles
from api.pendientes import rutas_etiquetas as etiquetas_pendiente
from api.pendientes.comandos import Comandos
from api.repetitivos import rutas as repetitivos
from api.reportes import rutas as reportes
from api.seguimiento import rutas_historial as historial
from api.seguimiento import rutas_notificaciones as notificaciones
from api.seguimiento import rutas_tiempos as tiempos
from api.seguimiento.difusor import Difusor
from api.seguimiento_cliente import rutas as seguimiento_cliente
from api.tablero import rutas_acciones as tablero_acciones
from api.tablero import rutas_campo as tablero_campo
from api.tablero import rutas_nuevo as tablero_nuevo
from api.tablero import rutas_pendiente as tablero_pendiente
from api.tablero import rutas_red as tablero_red
from api.tablero import rutas_sesion as tablero_sesion
from api.tablero import rutas_tablero as tablero
from api.tablero import rutas_validacion as tablero_validacion
from api.tablero import rutas_vivo as tablero_vivo
from api.tablero.sesion import instalar as instalar_tablero
from api.tablero.vistas import ESTATICOS, pagina_error
from api.webhooks import rutas as webhooks
from db.engine import (
    API_PING_AFTER_IDLE_SECONDS,
    make_engine,
    make_read_session_factory,
    make_session_factory,
)
from infra import logs
from infra.config import Settings, get_settings
from infra.seguridad import Cifrador
from infra.temporal import connect

# Sent on every HTTP answer unless the route set its own (an image sets its Cache-Control). No page of
# ours may be framed, sniffed into another type, leak its URL (tokens in old query strings) as a
# Referer, or be kept by a cache (answers hold personal data).
CABECERAS_SEGURIDAD = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def cabeceras_seguridad(settings: Settings) -> dict[str, str]:
    """Production runs behind a TLS proxy (docs/deploy.md), so it also asks browsers to use HTTPS only
    (browsers ignore the header on a plain-HTTP answer, so a local HTTP run is not locked out)."""
    cabeceras = dict(CABECERAS_SEGURIDAD)
    if settings.environment == "production" and settings.hsts_max_age_seconds:
        cabeceras["strict-transport-security"] = f"max-age={settings.hsts_max_age_seconds}"
    return cabeceras


class CabecerasSeguridad:
    """Pure ASGI (WebSockets pass untouched), outermost, so even the 500 answer carries the headers."""

    def __init__(self, app: ASGIApp, cabeceras: dict[str, str]) -> None:
        self.app = app
        self.cabeceras = cabeceras

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def enviar(mensaje: Message) -> None:
            if mensaje["type"] == "http.response.start":
                cabeceras = MutableHeaders(scope=mensaje)
                for nombre, valor in self.cabeceras.items():
                    cabeceras.setdefault(nombre, valor)
            await send(mensaje)

        await self.app(scope, receive, enviar)


def docs_habilitadas(settings: Settings) -> bool:
    if settings.api_docs_enabled is not None:
        return settings.api_docs_enabled
    return settings.environment != "production"


DESCRIPCION = """Órdenes de trabajo de campo de un ISP. Cada pendiente es un flujo durable de Temporal.

Autentíquese con `POST /auth` y use el token como `Authorization: Bearer <token>`."""


def create_app(settings: Settings | None = None, temporal: Client | None = None) -> FastAPI:
    settings = settings or get_settings()
    if settings.jwt_secret is None or settings.secrets_key is None:
        raise RuntimeError("JWT_SECRET and SECRETS_KEY must be set (`make run` generates them)")

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        engine = make_engine(
            settings.database_url,
            settings.db_pool_size,
            pre_ping=API_PING_AFTER_IDLE_SECONDS,
            max_overflow=settings.db_max_overflow,
            prepare=False,
        )
        client = temporal or await connect(settings, lazy=True)
        app.state.settings = settings
        app.state.sessions = make_session_factory(engine)
        app.state.lecturas = make_read_session_factory(engine)
        app.state.temporal = client
        app.state.cifrador = Cifrador(settings.secrets_key.get_secret_value())
        app.state.comandos = Comandos.desde_settings(client, app.state.sessions, settings)
        sessions = app.state.sessions
        app.state.difusor = Difusor(
            settings.database_url, lambda id_: notificaciones.cargar_para_envio(sessions, id_)
        )
        await app.state.difusor.iniciar()
        yield
        await app.state.difusor.detener()
        await engine.dispose()

    instalar_filtro()
    docs = docs_habilitadas(settings)
    app = FastAPI(
        title="pendientes",
        version="0.1.0",
        description=DESCRIPCION,
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    instalar_manejadores(app)
    # Wrapped around Starlette's whole stack (its error middleware included), not added inside it; the
    # observation outermost, so its time and status are what the client got.
    construir = app.build_middleware_stack
    cabeceras = cabeceras_seguridad(settings)
    app.state.metricas = MetricasHttp()
    plantillas = Plantillas(app)
    app.build_middleware_stack = lambda: Observacion(  # type: ignore[method-assign]
        CabecerasSeguridad(construir(), cabeceras), app.state.metricas, plantillas
    )
    # Routes with literal segments under /api/pendientes (tiempos, detalles) come before `/{id}`.
    rutas = (salud, auth, usuarios, empleados, clientes, tiempos, detalles, historial, pendientes, acciones)
    rutas += (notas, pagos, productos, catalogos, notificaciones, app_version, reconciliaciones)
    rutas += (webhooks, etiquetas, etiquetas_pendiente, seguimiento_cliente, pdf, reportes, repetitivos)
    rutas += (metricas, tablero_sesion, tablero, tablero_acciones)
    rutas += (tablero_pendiente, tablero_nuevo)
    rutas += (tablero_campo, tablero_red, tablero_validacion)
    rutas += (tablero_vivo,)
    for modulo in rutas:
        app.include_router(modulo.router)
    app.mount("/tablero/estaticos", StaticFiles(directory=ESTATICOS), name="tablero-estaticos")
    instalar_tablero(app, pagina_error)

    @app.get("/", include_in_schema=False)
    async def inicio():
        """A person opening the bare address is a person: the board (its login when needed)."""
        return RedirectResponse("/tablero", status_code=307)

    return app


def __getattr__(name: str):
    # `uvicorn api.main:app` builds the app on first access, never at import time, and the process's logs
    # take the configured format (tests build their apps with create_app and keep pytest's logging).
    if name == "app":
        settings = get_settings()
        logs.configurar(settings.formato_logs)
        return create_app(settings)
    raise AttributeError(name)
