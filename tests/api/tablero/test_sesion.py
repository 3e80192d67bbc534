"""The board's session: login with the API's credentials into an HttpOnly SameSite cookie, CSRF on every
form, logout, and an expired session back at the login with a message."""

from __future__ import annotations

from ops.demo import PASSWORD_DEMO
from tests.api.tablero.conftest import csrf_de, dni_de


async def test_sin_sesion_el_tablero_lleva_al_login(navegante):
    assert (await navegante.get("/")).headers["location"] == "/tablero"
    r = await navegante.get("/tablero")
    assert r.status_code == 303 and r.headers["location"] == "/tablero/login"
    r = await navegante.get("/tablero/login")
    assert r.status_code == 200 and 'name="password"' in r.text


async def test_ingresar_pone_una_cookie_httponly_samesite_y_lleva_al_tablero(navegante, ingresar):
    r = await ingresar("coordinadora")
    assert r.status_code == 303 and r.headers["location"] == "/tablero"
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("pendientes_sesion="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    tablero = await navegante.get("/tablero")
    assert tablero.status_code == 200
    assert "Registrado" in tablero.text and "Salir" in tablero.text
    assert "script-src 'self'" in tablero.headers["content-security-policy"]


async def test_un_tecnico_entra_a_sus_pendientes(navegante, ingresar):
    r = await ingresar("tecnico")
    assert r.headers["location"] == "/tablero/mis-pendientes"


async def test_credenciales_malas_muestran_un_solo_mensaje(navegante):
    formulario = await navegante.get("/tablero/login")
    datos = {"dni": dni_de("coordinadora"), "password": "otra-cosa", "csrf": csrf_de(formulario.text)}
    r = await navegante.post("/tablero/login", data=datos)
    assert r.status_code == 401 and "DNI o contraseña incorrectos" in r.text
    assert "pendientes_sesion" not in r.headers.get("set-cookie", "")


async def test_un_formulario_sin_su_token_csrf_se_rechaza(navegante, ingresar):
    formulario = await navegante.get("/tablero/login")
    r = await navegante.post(
        "/tablero/login", data={"dni": dni_de("coordinadora"), "password": PASSWORD_DEMO}
    )
    assert r.status_code == 403 and "Formulario rechazado" in r.text
    r = await navegante.post(
        "/tablero/login",
        data={
            "dni": dni_de("coordinadora"),
            "password": PASSWORD_DEMO,
            "csrf": csrf_de(formulario.text) + "x",
        },
    )
    assert r.status_code == 403
    await ingresar("coordinadora")
    r = await navegante.post("/tablero/salir", data={})
    assert r.status_code == 403
    assert (await navegante.get("/tablero")).status_code == 200  # still logged in


async def test_salir_cierra_la_sesion(navegante, ingresar):
    await ingresar("coordinadora")
    pagina = await navegante.get("/tablero")
    r = await navegante.post("/tablero/salir", data={"csrf": csrf_de(pagina.text)})
    assert r.status_code == 303 and r.headers["location"] == "/tablero/login?motivo=salida"
    assert (await navegante.get("/tablero")).status_code == 303


async def test_una_sesion_vencida_vuelve_al_login_con_un_mensaje(navegante):
    navegante.cookies.set("pendientes_sesion", "eyJhbGciOiJIUzI1NiJ9.e30.firma-vieja")
    r = await navegante.get("/tablero?lugar=PUNO")
    assert r.status_code == 303
    assert r.headers["location"] == "/tablero/login?motivo=expirada&destino=/tablero%3Flugar%3DPUNO"
    r = await navegante.get(r.headers["location"])
    assert "Tu sesión expiró" in r.text and 'value="/tablero?lugar=PUNO"' in r.text


async def test_el_destino_nunca_es_otro_sitio(navegante, ingresar):
    formulario = await navegante.get("/tablero/login?destino=//evil.example/tablero")
    assert "evil" not in formulario.text
    datos = {
        "dni": dni_de("coordinadora"),
        "password": PASSWORD_DEMO,
        "csrf": csrf_de(formulario.text),
        "destino": "https://evil.example/",
    }
    r = await navegante.post("/tablero/login", data=datos)
    assert r.headers["location"] == "/tablero"
