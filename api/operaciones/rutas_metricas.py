"""`GET /metrics`: the API process's HTTP metrics and the business gauges, in Prometheus' text format.

Not public: the caller is a user holding ADMINISTRAR (a person with curl) or presents `METRICS_TOKEN` as
its bearer token (Prometheus: a static secret that does not expire, compared in constant time). Anything
else is the same 401 / 403 envelope as every protected route."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from api.comun.deps import CredencialesDep, SessionDep, SettingsDep, usuario_de_token
from api.operaciones import servicio
from domain.errores import NoAutenticado, SinPermiso
from domain.permisos import Permiso

router = APIRouter(tags=["operación"])


async def _autorizar(session: SessionDep, settings: SettingsDep, credenciales: CredencialesDep) -> None:
    if credenciales is None:
        raise NoAutenticado("falta el token de acceso (Authorization: Bearer ...)")
    estatico = settings.metrics_token.get_secret_value() if settings.metrics_token else ""
    # An empty METRICS_TOKEN (compose's `${METRICS_TOKEN:-}`) is no token at all.
    if estatico and hmac.compare_digest(credenciales.credentials.encode(), estatico.encode()):
        return
    usuario = await usuario_de_token(session, settings, credenciales.credentials)
    if not usuario.tiene(Permiso.ADMINISTRAR):
        raise SinPermiso(f"se requiere el permiso {Permiso.ADMINISTRAR}", {"permisos": [Permiso.ADMINISTRAR]})


class _Negocio:
    """A collector of one scrape's business figures (read from Postgres just before)."""

    def __init__(self, datos: servicio.Negocio) -> None:
        self.datos = datos

    def collect(self):
        abiertos = GaugeMetricFamily(
            "pendientes_abiertos",
            "Open pendientes (not finalised, cancelled or deleted) by estado",
            labels=["estado"],
        )
        for estado, total in self.datos.abiertos.items():
            abiertos.add_metric([estado.value], total)
        yield abiertos
        yield GaugeMetricFamily(
            "pendientes_vencidos", "Open pendientes past their work date (vencido)", value=self.datos.vencidos
        )
        yield GaugeMetricFamily(
            "pendientes_sla_incumplidos",
            "Open pendientes past their resolution deadline (estadoSla INCUMPLIDO)",
            value=self.datos.sla_incumplidos,
        )
        yield GaugeMetricFamily(
            "webhook_entregas_pendientes",
            "Webhook deliveries waiting for their next attempt (estado PENDIENTE)",
            value=self.datos.entregas_pendientes,
        )


@router.get("/metrics", include_in_schema=False, dependencies=[Depends(_autorizar)])
async def metricas(request: Request, session: SessionDep) -> Response:
    negocio = CollectorRegistry()
    negocio.register(_Negocio(await servicio.negocio(session)))
    cuerpo = generate_latest(request.app.state.metricas.registro) + generate_latest(negocio)
    return Response(cuerpo, media_type=CONTENT_TYPE_LATEST)
