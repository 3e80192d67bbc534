"""Every route of the app, including the ones added after this test was written, answers 401 in the
envelope without a valid token. The list comes from the app itself; only the public allowlist below is
exempt, so making a route public is a deliberate, reviewed edit of this file."""

from __future__ import annotations

import re
import uuid

from fastapi.routing import iter_route_contexts

from domain.acciones import Accion
from ops.demo import PASSWORD_DEMO

PUBLICAS = {
    ("POST", "/auth"),
    ("GET", "/health"),
    # The bare address sends a person to the board (its login when needed): nothing to protect.
    ("GET", "/"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
    ("GET", "/openapi.json"),
    # The mobile app checks for updates before anyone logs in (reads only; publishing needs ADMINISTRAR).
    ("GET", "/app/app-version/vigentes"),
    ("GET", "/app/app-version/ultima"),
    # The customer's tracking link: the unguessable token is the credential (api/seguimiento_cliente).
    ("GET", "/seguimiento/{token}"),
    ("GET", "/seguimiento/{token}.json"),
    # The board's login page and form (CSRF-protected; tests/api/tablero/test_sesion.py).
    ("GET", "/tablero/login"),
    ("POST", "/tablero/login"),
}
# The board's vendored static files (htmx, its stylesheet and script): nothing to protect.
MONTAJES_PUBLICOS = {"/tablero/estaticos"}
# WebSocket routes authenticate at the handshake; tests/api/seguimiento/test_notificaciones.py covers /ws.
WEBSOCKETS = {"/ws"}
# A plausible value per path parameter, so the request reaches the route (not a 404 or 422 on the path).
VALORES = {"accion": Accion.COMENZAR.value}


def rutas_de(app) -> list[tuple[str, str]]:
    pares = []
    for ctx in iter_route_contexts(app.routes):
        if ctx.path in WEBSOCKETS or ctx.path in MONTAJES_PUBLICOS:
            continue
        # A websocket or mounted sub-app has no HTTP methods: it needs an auth test of its own, and
        # then an entry in WEBSOCKETS.
        assert ctx.methods, f"{ctx.path}: not an HTTP route; protect it and add it to this test"
        pares += [(metodo, ctx.path) for metodo in sorted(ctx.methods - {"HEAD", "OPTIONS"})]
    return pares


def concreta(ruta: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda p: VALORES.get(p.group(1), "1"), ruta)


async def test_toda_ruta_no_publica_exige_token(app, http):
    rutas = rutas_de(app)
    documentadas = {(metodo.upper(), ruta) for ruta, ops in app.openapi()["paths"].items() for metodo in ops}
    # The list is really the app's: it holds everything the OpenAPI document shows.
    assert documentadas <= set(rutas)
    assert {("GET", "/api/pendientes/{id}"), ("DELETE", "/api/usuarios/{id}")} <= set(rutas)

    fallos = []
    for metodo, ruta in rutas:
        if (metodo, ruta) in PUBLICAS:
            continue
        if ruta.startswith("/tablero"):
            fallos += await _pagina_sin_sesion(http, metodo, ruta)
            continue
        for cabeceras in ({}, {"Authorization": "Bearer no-es-un-token"}, {"Authorization": "Basic eDp5"}):
            r = await http.request(metodo, concreta(ruta), headers=cabeceras)
            cuerpo = r.json() if r.headers.get("content-type", "").startswith("application/json") else None
            sobre = {"success": False, "code": 401}
            if r.status_code != 401 or not cuerpo or {k: cuerpo.get(k) for k in sobre} != sobre:
                fallos.append(f"{metodo} {ruta} {cabeceras}: {r.status_code} {r.text[:120]}")
    assert fallos == []


async def _pagina_sin_sesion(http, metodo: str, ruta: str) -> list[str]:
    """A board page without a valid session cookie sends the browser to the login (a form, refused
    first for its missing CSRF token, is a 403 page): never the page, never a change."""
    fallos = []
    for cookie in ({}, {"pendientes_sesion": "no-es-un-token"}):
        r = await http.request(
            metodo, concreta(ruta), headers={"cookie": "; ".join(f"{k}={v}" for k, v in cookie.items())}
        )
        al_login = r.status_code == 303 and r.headers["location"].startswith("/tablero/login")
        if not al_login and not (metodo == "POST" and r.status_code == 403):
            fallos.append(f"{metodo} {ruta} {cookie}: {r.status_code} {r.text[:120]}")
    return fallos


async def _publicar_version(http, admin: dict[str, str]) -> dict:
    """A version on a platform of this test alone, so the latest-version read has one exact answer."""
    plataforma = f"P{uuid.uuid4().hex[:10].upper()}"
    antes = await http.get("/app/app-version/ultima", params={"plataforma": plataforma})
    assert antes.status_code == 404, antes.text  # nothing published for it yet
    cuerpo = {"versionCode": "3.4.5", "plataforma": plataforma}
    r = await http.post("/app/app-version", json=cuerpo, headers=admin)
    assert r.status_code == 201, r.text
    return r.json()


async def test_las_rutas_publicas_responden_sin_token(app, http, h):
    rutas = set(rutas_de(app))
    assert rutas >= PUBLICAS, "an allowlisted route no longer exists: remove it from PUBLICAS"
    version = await _publicar_version(http, h["administrador"])
    # The exact answer of each public read, without a token, with Postgres and Temporal up.
    esperado = {
        ("GET", "/health"): ({}, 200),
        ("GET", "/"): ({}, 307),
        ("GET", "/docs"): ({}, 200),
        ("GET", "/docs/oauth2-redirect"): ({}, 200),
        ("GET", "/redoc"): ({}, 200),
        ("GET", "/openapi.json"): ({}, 200),
        ("GET", "/app/app-version/vigentes"): ({"size": 100}, 200),
        ("GET", "/app/app-version/ultima"): ({"plataforma": version["plataforma"]}, 200),
        # No such token: the same 404 as a revoked or expired link.
        ("GET", "/seguimiento/{token}"): ({}, 404),
        ("GET", "/seguimiento/{token}.json"): ({}, 404),
        ("GET", "/tablero/login"): ({}, 200),
    }
    # The two login forms are POSTs, tested with their bodies elsewhere.
    assert set(esperado) == PUBLICAS - {("POST", "/auth"), ("POST", "/tablero/login")}
    respuestas = {}
    for (metodo, ruta), (params, status) in esperado.items():
        respuestas[ruta] = r = await http.request(metodo, ruta, params=params)
        assert r.status_code == status, f"{metodo} {ruta}: {r.status_code} {r.text[:200]}"

    assert respuestas["/health"].json()["data"] == {"postgres": "ok", "temporal": "ok"}
    assert respuestas["/app/app-version/ultima"].json() == version
    assert version["id"] in {v["id"] for v in respuestas["/app/app-version/vigentes"].json()["content"]}
    assert "/api/pendientes/{id}" in respuestas["/openapi.json"].json()["paths"]
    assert (await http.post("/auth", json={})).status_code == 422
    assert (await http.post("/auth", json={"dni": "10000003", "password": PASSWORD_DEMO})).status_code == 200
