"""The board's session and CSRF protection.

The session is the API's own token in an HttpOnly, SameSite=Lax cookie (same expiry, same checks on
every request: a password change or a deactivation ends it at once). Every form carries a CSRF token
that must equal the one in a second cookie (double submit): a page of another site can make the browser
send our cookies, but can neither read that token nor set the cookie, so it cannot forge a form."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from api.comun.deps import SessionDep, SettingsDep, UsuarioActual, usuario_de_token
from domain.errores import NoAutenticado
from domain.permisos import Permiso
from infra.config import Settings

COOKIE_SESION = "pendientes_sesion"
COOKIE_CSRF = "pendientes_csrf"
CAMPO_CSRF = "csrf"
LOGIN = "/tablero/login"
# Why the login page is shown again (its message).
EXPIRADA, SALIDA = "expirada", "salida"


class SesionRequerida(Exception):
    """No valid session: back to the login (`motivo`: why, shown there), then to `destino`."""

    def __init__(self, motivo: str | None, destino: str) -> None:
        self.motivo = motivo
        self.destino = destino


class CsrfInvalido(Exception):
    pass


class SinPermisoTablero(Exception):
    def __init__(self, mensaje: str) -> None:
        self.mensaje = mensaje


def _seguro(settings: Settings) -> bool:
    return settings.environment == "production"


def poner_sesion(respuesta: Response, settings: Settings, token: str) -> None:
    respuesta.set_cookie(
        COOKIE_SESION,
        token,
        max_age=settings.jwt_expiry_minutes * 60,
        httponly=True,
        samesite="lax",
        secure=_seguro(settings),
        path="/",
    )


def quitar_sesion(respuesta: Response) -> None:
    respuesta.delete_cookie(COOKIE_SESION, path="/")


def token_csrf(request: Request) -> str:
    """The CSRF token of this browser (made on the first page it sees; `asegurar_csrf` stores it)."""
    if not getattr(request.state, "csrf", None):
        request.state.csrf = request.cookies.get(COOKIE_CSRF) or secrets.token_urlsafe(32)
    return request.state.csrf


def asegurar_csrf(request: Request, respuesta: Response, settings: Settings) -> None:
    if request.cookies.get(COOKIE_CSRF) != token_csrf(request):
        respuesta.set_cookie(
            COOKIE_CSRF,
            token_csrf(request),
            httponly=True,
            samesite="strict",
            secure=_seguro(settings),
            path="/",
        )


async def verificar_csrf(request: Request) -> None:
    """Every POST of the board: the form's token must be the cookie's."""
    enviado = (await request.form()).get(CAMPO_CSRF) or request.headers.get("x-csrf-token")
    esperado = request.cookies.get(COOKIE_CSRF)
    if not esperado or not isinstance(enviado, str) or not secrets.compare_digest(enviado, esperado):
        raise CsrfInvalido()


def destino_seguro(destino: object) -> str | None:
    """A page of the board itself to go back to, or None: never another site (`//evil`, `\\evil`...)."""
    if isinstance(destino, str) and destino.startswith("/tablero") and not destino.startswith("//"):
        return destino if "\\" not in destino else None
    return None


def _destino(request: Request) -> str:
    ruta = request.url.path
    if request.method != "GET" or not ruta.startswith("/tablero") or ruta.startswith(LOGIN):
        return "/tablero"
    return ruta + (f"?{request.url.query}" if request.url.query else "")


async def usuario_tablero(request: Request, session: SessionDep, settings: SettingsDep) -> UsuarioActual:
    """Who uses the board, checked on every request exactly as a bearer token is."""
    token = request.cookies.get(COOKIE_SESION)
    if not token:
        raise SesionRequerida(None, _destino(request))
    try:
        return await usuario_de_token(session, settings, token)
    except NoAutenticado:
        raise SesionRequerida(EXPIRADA, _destino(request)) from None


UsuarioTablero = Annotated[UsuarioActual, Depends(usuario_tablero)]
ConCsrf = Depends(verificar_csrf)


def exigir(usuario: UsuarioActual, *permisos: Permiso) -> None:
    if not usuario.tiene(*permisos):
        raise SinPermisoTablero(f"Necesitas el permiso {' o '.join(permisos)} para ver esta pantalla.")


def url_login(motivo: str | None, destino: str | None = None) -> str:
    partes = [f"motivo={motivo}"] if motivo else []
    if destino and destino != "/tablero":
        partes.append(f"destino={quote(destino, safe='/')}")
    return LOGIN + ("?" + "&".join(partes) if partes else "")


def instalar(app: FastAPI, pagina_error) -> None:
    """What the board answers instead of the API's JSON errors: the login page, or an error page."""

    @app.exception_handler(SesionRequerida)
    async def _sin_sesion(request: Request, exc: SesionRequerida) -> Response:
        destino = url_login(exc.motivo, exc.destino)
        if request.headers.get("hx-request"):
            # An htmx fragment request: the whole page goes to the login.
            return Response(status_code=204, headers={"HX-Redirect": destino})
        respuesta = RedirectResponse(destino, status_code=303)
        quitar_sesion(respuesta)
        return respuesta

    @app.exception_handler(CsrfInvalido)
    async def _csrf(request: Request, exc: CsrfInvalido) -> Response:
        mensaje = "El formulario venció o no vino de esta página. Recarga la página e inténtalo de nuevo."
        return pagina_error(request, 403, "Formulario rechazado", mensaje)

    @app.exception_handler(SinPermisoTablero)
    async def _sin_permiso(request: Request, exc: SinPermisoTablero) -> Response:
        return pagina_error(request, 403, "Sin permiso", exc.mensaje)
