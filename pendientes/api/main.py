"""The FastAPI application. `uvicorn pendientes.api.main:app`."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from temporalio.client import Client

from pendientes.api.difusor import Difusor
from pendientes.api.registro import instalar_filtro
from pendientes.api.respuesta import instalar_manejadores
from pendientes.api.rutas import (
    acciones,
    app_version,
    auth,
    catalogos,
    clientes,
    detalles,
    empleados,
    historial,
    notas,
    notificaciones,
    pagos,
    pendientes,
    productos,
    reconciliaciones,
    salud,
    tiempos,
    usuarios,
)
from pendientes.comandos import Comandos
from pendientes.config import Settings, get_settings
from pendientes.db.engine import make_engine, make_session_factory
from pendientes.seguridad import Cifrador
from pendientes.temporal_client import connect

DESCRIPCION = """Órdenes de trabajo de campo de un ISP. Cada pendiente es un flujo durable de Temporal.

Autentíquese con `POST /auth` y use el token como `Authorization: Bearer <token>`."""


def create_app(settings: Settings | None = None, temporal: Client | None = None) -> FastAPI:
    settings = settings or get_settings()
    if settings.jwt_secret is None or settings.secrets_key is None:
        raise RuntimeError("JWT_SECRET and SECRETS_KEY must be set (`make run` generates them)")

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        engine = make_engine(settings.database_url)
        client = temporal or await connect(settings, lazy=True)
        app.state.settings = settings
        app.state.sessions = make_session_factory(engine)
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
    app = FastAPI(title="pendientes", version="0.1.0", description=DESCRIPCION, lifespan=lifespan)
    instalar_manejadores(app)
    # Routes with literal segments under /api/pendientes (tiempos, detalles) come before `/{id}`.
    rutas = (salud, auth, usuarios, empleados, clientes, tiempos, detalles, historial, pendientes, acciones)
    rutas += (notas, pagos, productos, catalogos, notificaciones, app_version, reconciliaciones)
    for modulo in rutas:
        app.include_router(modulo.router)
    return app


def __getattr__(name: str):
    # `uvicorn pendientes.api.main:app` builds the app on first access, never at import time.
    if name == "app":
        return create_app()
    raise AttributeError(name)
