"""Rendering the board's pages: one Jinja environment (autoescaped), the layout's data (the user, the
screens they may open, the CSRF token) and the error page. Shared by every board router."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.comun.deps import UsuarioActual
from api.tablero.sesion import CAMPO_CSRF, asegurar_csrf, token_csrf
from domain import pantallas
from domain.palabras import en_palabras
from domain.zona import LIMA

# Scripts and styles only from our own files (htmx is vendored), nothing inline, no frames, forms only to us.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PLANTILLAS = Jinja2Templates(directory=Path(__file__).parent / "plantillas")
ESTATICOS = Path(__file__).parent / "estaticos"


def _fecha(valor: datetime | None, formato: str = "%d/%m/%Y %H:%M") -> str:
    return valor.astimezone(LIMA).strftime(formato) if valor else "—"


PLANTILLAS.env.filters["fecha"] = _fecha
PLANTILLAS.env.filters["palabras"] = en_palabras
PLANTILLAS.env.globals["CAMPO_CSRF"] = CAMPO_CSRF


def pagina(
    request: Request, plantilla: str, usuario: UsuarioActual | None, status_code: int = 200, **contexto: Any
) -> HTMLResponse:
    contexto |= {
        "usuario": usuario,
        "pantallas": pantallas.visibles(usuario.permisos) if usuario else [],
        "csrf": token_csrf(request),
        "ruta": request.url.path,
    }
    respuesta = PLANTILLAS.TemplateResponse(request, plantilla, contexto, status_code=status_code)
    respuesta.headers["Content-Security-Policy"] = CSP
    asegurar_csrf(request, respuesta, request.app.state.settings)
    return respuesta


def pagina_error(request: Request, status_code: int, titulo: str, mensaje: str) -> HTMLResponse:
    return pagina(request, "error.html", None, status_code, titulo=titulo, mensaje=mensaje)
