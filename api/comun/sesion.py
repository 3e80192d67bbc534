"""HTTP pieces of a password check (the login, a password change): who is asking, and the 429 that
tells them when to come back."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from db.identidad import Frenado


def direccion_de(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy, run uvicorn with --proxy-headers and
    --forwarded-allow-ips so this is the real client, not the proxy)."""
    return request.client.host if request.client else "desconocida"


def respuesta_frenada(error: Frenado) -> JSONResponse:
    """The 429 envelope, with `Retry-After` so generic clients know when to come back."""
    cuerpo = {"success": False, "code": 429, "message": error.mensaje, "data": error.data}
    return JSONResponse(cuerpo, status_code=429, headers={"Retry-After": str(error.segundos)})
