"""What ops see of the HTTP side: Prometheus metrics per route template and one structured log line per
request, both keyed by a request id the caller may send (`X-Request-ID`) and always gets back.

Pure ASGI, wrapped around the whole app (api/main.py), so it times and counts everything, the 500 answers
of Starlette's error middleware included. Labels are the route's template (`/api/pendientes/{id}`), never
the path: ids in labels would make a new series per pendiente."""

from __future__ import annotations

import logging
import re
import time
import uuid

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.datastructures import MutableHeaders
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.logs import contexto

log = logging.getLogger("pendientes.http")

CABECERA = "x-request-id"
# A caller's id is kept only if it is a plain token (it goes into logs and headers as is).
_ID_VALIDO = re.compile(r"[A-Za-z0-9._:-]{1,128}")
SIN_RUTA = "<sin ruta>"  # a 404 for a path no route serves: one series for them all
# Any other method a client makes up is counted as OTHER (a label must not take arbitrary values).
METODOS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Seconds; an Update's answer waits on the worker, so the buckets reach the 10 s update timeout.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# A path about one pendiente: /api/pendientes/7/..., /api/pendientes/tiempos/7/..., /tablero/pendientes/7,
# /api/historiales/pendiente/7 (not /api/productos/pendientes/items/7: an item's id).
_PENDIENTE = re.compile(r"/pendientes?/(?:tiempos/)?(\d+)(?:/|$)")


class MetricasHttp:
    """The API process's HTTP metrics, in a registry of its own (one per app: tests build several)."""

    def __init__(self) -> None:
        self.registro = CollectorRegistry()
        self.peticiones = Counter(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            ("method", "route", "status"),
            registry=self.registro,
        )
        self.latencia = Histogram(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template",
            ("method", "route"),
            buckets=BUCKETS,
            registry=self.registro,
        )
        self.en_curso = Gauge(
            "http_requests_in_progress", "HTTP requests being answered now", registry=self.registro
        )


class Plantillas:
    """Route template by matched route, computed once from the app's own route list (an included router's
    route object knows only its path inside the router, not the prefix)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.por_objeto: dict[int, str] | None = None

    def de(self, scope: Scope) -> str:
        if self.por_objeto is None:
            self.por_objeto = {}
            for ctx in iter_route_contexts(self.app.routes):
                ruta = ctx.original_route
                if isinstance(ruta, Mount):  # a mounted app is found by its endpoint (the app)
                    self.por_objeto.setdefault(id(ruta.app), f"{ctx.path}/{{path}}")
                elif ctx.path_format is not None:
                    self.por_objeto.setdefault(id(ruta), ctx.path_format)
                    if not isinstance(ruta, APIRoute):
                        self.por_objeto.setdefault(id(getattr(ruta, "endpoint", None)), ctx.path_format)
        for clave in ("route", "endpoint"):
            if (objeto := scope.get(clave)) is not None and id(objeto) in self.por_objeto:
                return self.por_objeto[id(objeto)]
        return SIN_RUTA


def pendiente_de(ruta: str) -> int | None:
    """The pendiente a request is about, read from its path (known before routing, so every line of the
    request carries it)."""
    coincidencia = _PENDIENTE.search(ruta)
    return int(coincidencia.group(1)) if coincidencia else None


def request_id(scope: Scope) -> str:
    for nombre, valor in scope.get("headers", ()):
        if nombre == CABECERA.encode():
            recibido = valor.decode("latin-1")
            if _ID_VALIDO.fullmatch(recibido):
                return recibido
    return uuid.uuid4().hex


class Observacion:
    """Request id in, out and in every log line of the request; metrics; one access line at the end."""

    def __init__(self, app: ASGIApp, metricas: MetricasHttp, plantillas: Plantillas) -> None:
        self.app = app
        self.metricas = metricas
        self.plantillas = plantillas

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        datos = {"request_id": rid, "pendiente_id": pendiente_de(scope["path"])}
        token = contexto.set(datos)
        status = 500  # what the client gets if the app raises before answering

        async def enviar(mensaje: Message) -> None:
            nonlocal status
            if mensaje["type"] == "http.response.start":
                status = mensaje["status"]
                MutableHeaders(scope=mensaje)[CABECERA] = rid
            await send(mensaje)

        inicio = time.perf_counter()
        self.metricas.en_curso.inc()
        try:
            await self.app(scope, receive, enviar)
        finally:
            segundos = time.perf_counter() - inicio
            self.metricas.en_curso.dec()
            plantilla = self.plantillas.de(scope)
            metodo = scope["method"] if scope["method"] in METODOS else "OTHER"
            self.metricas.peticiones.labels(metodo, plantilla, str(status)).inc()
            self.metricas.latencia.labels(metodo, plantilla).observe(segundos)
            nivel = logging.ERROR if status >= 500 else logging.INFO
            extra = {"metodo": metodo, "ruta": plantilla, "status": status, "ms": round(segundos * 1000, 1)}
            # The path without its query string: old clients send secrets there.
            log.log(nivel, "%s %s %s", metodo, scope["path"], status, extra=extra)
            contexto.reset(token)
