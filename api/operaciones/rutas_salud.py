"""`GET /health`: is the API able to reach Postgres and Temporal? Public, reveals nothing else."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.operaciones import servicio

router = APIRouter(tags=["salud"])


async def _temporal(request: Request) -> bool:
    try:
        client = request.app.state.temporal
        return await asyncio.wait_for(client.service_client.check_health(), timeout=3)
    except Exception:
        return False


@router.get("/health")
async def salud(request: Request) -> JSONResponse:
    postgres, temporal = await asyncio.gather(
        servicio.postgres_responde(request.app.state.sessions), _temporal(request)
    )
    sano = postgres and temporal
    codigo = 200 if sano else 503
    data = {"postgres": "ok" if postgres else "caido", "temporal": "ok" if temporal else "caido"}
    mensaje = "servicio operativo" if sano else "dependencias no disponibles"
    cuerpo = {"success": sano, "code": codigo, "message": mensaje, "data": data}
    return JSONResponse(cuerpo, status_code=codigo)
