"""/auth over real HTTP and Postgres: login, the generic 401, the login limits (per address, per DNI at
an address, per DNI), token validity (expiry, signature, deactivation, password change, permissions
re-read per request) and refresh."""

from __future__ import annotations

import asyncio
import base64
import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from db import models as m
from ops.demo import PASSWORD_DEMO
from tests.api.identidad.conftest import PASSWORD, nueva_direccion, nuevo_dni
from tests.conftest import auth

GENERICO = "DNI o contraseña incorrectos"
# The documented policy (README, Authentication), typed here so a change in infra/seguridad.py
# fails these tests: 5 failures of a DNI from one address within 15 minutes lock that pair for 15
# minutes; more than 10 for a DNI from anywhere slow it to one try per 10 s; 30 from one address lock
# the address; a token lives 12 hours; refreshing stops 30 days after the password was typed.
VENTANA = timedelta(minutes=15)
BLOQUEO = timedelta(minutes=15)
BLOQUEO_SEGUNDOS = 15 * 60
SESION_MAXIMA = timedelta(days=30)


def _sobre_error(r, status: int) -> dict:
    assert r.status_code == status, r.text
    cuerpo = r.json()
    assert cuerpo["success"] is False and cuerpo["code"] == status
    return cuerpo


async def test_login_devuelve_token_y_datos_del_usuario(http):
    r = await http.post("/auth", json={"dni": "10000002", "password": PASSWORD_DEMO})

    assert r.status_code == 200
    cuerpo = r.json()
    assert cuerpo["success"] is True and cuerpo["code"] == 200
    data = cuerpo["data"]
    assert set(data) == {"token", "nombre", "email", "rol", "expiraEn"}
    assert (data["nombre"], data["email"], data["rol"]) == (
        "Carmen Condori",
        "carmen.condori@simax.pe",
        "Coordinadora",
    )


async def test_el_token_expira_segun_la_configuracion(http, settings):
    r = await http.post("/auth", json={"dni": "10000003", "password": PASSWORD_DEMO})
    carga = jwt.decode(r.json()["data"]["token"], options={"verify_signature": False})
    assert settings.jwt_expiry_minutes == 720  # the documented default the test settings keep
    assert carga["exp"] - carga["iat"] == 12 * 3600
    expira_en = datetime.fromisoformat(r.json()["data"]["expiraEn"])
    assert abs(expira_en.timestamp() - carga["exp"]) < 1


async def test_un_solo_401_sin_enumerar_cuentas(http, fabrica, admin):
    inactiva = await fabrica.cuenta("tecnico")
    await http.put(f"/api/usuarios/{inactiva.id}", json={"activo": False}, headers=admin)
    intentos = [
        {"dni": nuevo_dni(), "password": PASSWORD},  # unknown DNI
        {"dni": "10000004", "password": "no-es-la-clave"},  # wrong password
        {"dni": inactiva.dni, "password": PASSWORD},  # right password, inactive user
    ]
    respuestas = [await http.post("/auth", json=cuerpo) for cuerpo in intentos]
    cuerpos = [_sobre_error(r, 401) for r in respuestas]
    assert all(c == {"success": False, "code": 401, "message": GENERICO, "data": None} for c in cuerpos)


@pytest.mark.parametrize("cuerpo", [{}, {"dni": "10000001"}, {"dni": "", "password": "x"}, {"dni": 1}])
async def test_cuerpo_de_login_invalido_da_422(http, cuerpo):
    _sobre_error(await http.post("/auth", json=cuerpo), 422)


# --- Login limits (README, Authentication) -----------------------------------------------------------


async def _entrar(cliente, dni: str, password: str) -> int:
    return (await cliente.post("/auth", json={"dni": dni, "password": password})).status_code


async def _fallar(cliente, dni: str, veces: int) -> list[int]:
    return [await _entrar(cliente, dni, "mala-clave-xx") for _ in range(veces)]


def _frenado(r) -> int:
    """A 429 with the same wait in the Retry-After header and in data.reintentarEnSegundos."""
    cuerpo = _sobre_error(r, 429)
    assert r.headers["retry-after"] == str(cuerpo["data"]["reintentarEnSegundos"])
    return cuerpo["data"]["reintentarEnSegundos"]


async def _envejecer(sessions, ambito: str, clave: str, edad: timedelta) -> None:
    """Pretend the last evaluated attempt counted under (ambito, clave) happened `edad` ago."""
    async with sessions.begin() as s:
        t = m.IntentoLogin
        hace = datetime.now(UTC) - edad
        await s.execute(update(t).where(t.ambito == ambito, t.clave == clave).values(ultimo=hace))


def _par(dni: str, direccion: str) -> str:
    return f"{dni}@{direccion}"


async def test_cinco_fallos_desde_una_direccion_bloquean_ese_dni_solo_alli(desde, fabrica, sessions):
    cuenta = await fabrica.cuenta("tecnico")
    direccion = nueva_direccion()
    atacante, usuario = desde(direccion), desde()

    assert await _fallar(atacante, cuenta.dni, 5) == [401] * 5
    # Locked at that address: even the right password is refused, without checking it, for 15 minutes
    # from the fifth failure (a minute of slack for a slow machine).
    r = await atacante.post("/auth", json={"dni": cuenta.dni, "password": cuenta.password})
    assert BLOQUEO_SEGUNDOS - 60 < _frenado(r) <= BLOQUEO_SEGUNDOS
    # The real user, from another address, logs in: nobody can lock an account out.
    assert await _entrar(usuario, cuenta.dni, cuenta.password) == 200
    # Tokens already issued keep working: the limits guard the password, not the sessions.
    assert (await atacante.get("/auth/validar-token", headers=cuenta.headers)).status_code == 200

    # When the 15 minutes are over, the right password works from that address too.
    await _envejecer(sessions, "par", _par(cuenta.dni, direccion), BLOQUEO + timedelta(seconds=1))
    assert await _entrar(atacante, cuenta.dni, cuenta.password) == 200


async def test_el_bloqueo_sigue_hasta_el_ultimo_segundo(desde, fabrica, sessions):
    """Still locked with 30 seconds left of the 15 minutes (the stored time is what the server obeys)."""
    cuenta = await fabrica.cuenta("tecnico")
    direccion = nueva_direccion()
    cliente = desde(direccion)
    assert await _fallar(cliente, cuenta.dni, 5) == [401] * 5
    await _envejecer(sessions, "par", _par(cuenta.dni, direccion), BLOQUEO - timedelta(seconds=30))

    r = await cliente.post("/auth", json={"dni": cuenta.dni, "password": cuenta.password})

    assert 0 < _frenado(r) <= 30


async def test_cuatro_fallos_no_bloquean(desde, fabrica):
    cuenta = await fabrica.cuenta("tecnico")
    cliente = desde()
    assert await _fallar(cliente, cuenta.dni, 4) == [401] * 4
    assert await _entrar(cliente, cuenta.dni, cuenta.password) == 200


async def test_un_dni_desconocido_se_bloquea_igual(desde):
    assert await _fallar(desde(), nuevo_dni(), 6) == [401] * 5 + [429]


async def test_un_acierto_no_cuenta_pero_no_borra_los_fallos_anteriores(desde, fabrica):
    """Four failures, a success (not counted), one more failure: five failures, locked. Were a success
    to wipe the count, an attacker racing the real user would get new guesses each time they log in."""
    cuenta = await fabrica.cuenta("tecnico")
    cliente = desde()
    assert await _fallar(cliente, cuenta.dni, 4) == [401] * 4
    assert await _entrar(cliente, cuenta.dni, cuenta.password) == 200
    assert await _fallar(cliente, cuenta.dni, 2) == [401, 429]


async def test_muchos_aciertos_seguidos_nunca_bloquean(desde, fabrica):
    cuenta = await fabrica.cuenta("tecnico")
    cliente = desde()
    assert [await _entrar(cliente, cuenta.dni, cuenta.password) for _ in range(7)] == [200] * 7


@pytest.mark.parametrize(
    ("edad", "quinto_intento"),
    [
        (VENTANA - timedelta(minutes=1), [401, 429]),  # five failures within 15 minutes: locked
        (VENTANA + timedelta(minutes=1), [401, 401]),  # the first four are too old: the count restarts
    ],
    ids=["dentro-de-15-min", "fuera-de-15-min"],
)
async def test_solo_cuentan_los_fallos_de_los_ultimos_15_minutos(desde, sessions, edad, quinto_intento):
    dni, direccion = nuevo_dni(), nueva_direccion()
    cliente = desde(direccion)
    assert await _fallar(cliente, dni, 4) == [401] * 4
    await _envejecer(sessions, "par", _par(dni, direccion), edad)
    assert await _fallar(cliente, dni, 2) == quinto_intento


async def test_49_erroneas_y_1_correcta_a_la_vez_evaluan_a_lo_sumo_5_erroneas(desde, fabrica):
    """Sent together: the counter is taken before the password is checked, in one statement, so no more
    than 5 wrong passwords are evaluated (401); the rest are refused unchecked (429). The right one is
    evaluated only if it got a place (200), and then gives it back. The user logs in from elsewhere."""
    cuenta = await fabrica.cuenta("tecnico")
    atacante = desde()
    cuerpos = [{"dni": cuenta.dni, "password": f"mala-clave-{i:02d}"} for i in range(49)]
    cuerpos.insert(25, {"dni": cuenta.dni, "password": cuenta.password})

    respuestas = await asyncio.gather(*(atacante.post("/auth", json=c) for c in cuerpos))

    codigos = Counter(r.status_code for r in respuestas)
    assert set(codigos) <= {200, 401, 429}, codigos
    assert codigos[401] <= 5 and codigos[200] <= 1, codigos
    assert codigos[401] + codigos[200] >= 5, codigos  # every place was used: nothing was lost either
    assert await _entrar(desde(), cuenta.dni, cuenta.password) == 200


async def test_fallos_desde_muchas_direcciones_frenan_el_dni_sin_bloquearlo(desde, fabrica, sessions):
    """Beyond 10 failures within 15 minutes for one DNI from anywhere, one password is evaluated every 10
    seconds from a new address; an address where the user logged in before is not slowed at all."""
    cuenta = await fabrica.cuenta("tecnico")
    conocida = desde()
    assert await _entrar(conocida, cuenta.dni, cuenta.password) == 200
    for _ in range(10):  # ten addresses, one failure each: no pair is locked
        assert await _fallar(desde(), cuenta.dni, 1) == [401]

    nueva = desde()
    r = await nueva.post("/auth", json={"dni": cuenta.dni, "password": cuenta.password})
    assert 0 < _frenado(r) <= 10
    assert await _entrar(conocida, cuenta.dni, cuenta.password) == 200
    # Ten seconds after the last evaluated attempt, the next one is evaluated.
    await _envejecer(sessions, "dni", cuenta.dni, timedelta(seconds=10, milliseconds=500))
    assert await _entrar(nueva, cuenta.dni, cuenta.password) == 200


async def test_diez_fallos_del_dni_no_frenan_el_undecimo(desde, fabrica):
    cuenta = await fabrica.cuenta("tecnico")
    for _ in range(9):
        assert await _fallar(desde(), cuenta.dni, 1) == [401]
    assert await _fallar(desde(), cuenta.dni, 1) == [401]  # the tenth is still evaluated
    assert await _entrar(desde(), cuenta.dni, cuenta.password) == 429  # the eleventh waits


async def test_una_direccion_falla_a_lo_sumo_30_veces_en_15_minutos(desde, fabrica, sessions):
    """Whatever DNIs it tries (LOGIN_FALLOS_POR_DIRECCION, default 30); successes do not count."""
    cuenta = await fabrica.cuenta("tecnico")
    direccion = nueva_direccion()
    atacante = desde(direccion)
    assert [await _entrar(atacante, nuevo_dni(), "mala-clave-xx") for _ in range(29)] == [401] * 29
    assert await _entrar(atacante, cuenta.dni, cuenta.password) == 200
    assert await _entrar(atacante, nuevo_dni(), "mala-clave-xx") == 401  # the 30th failure

    r = await atacante.post("/auth", json={"dni": cuenta.dni, "password": cuenta.password})
    assert BLOQUEO_SEGUNDOS - 60 < _frenado(r) <= BLOQUEO_SEGUNDOS
    assert await _entrar(desde(), cuenta.dni, cuenta.password) == 200  # other addresses are not slowed
    await _envejecer(sessions, "direccion", direccion, VENTANA + timedelta(seconds=1))
    assert await _entrar(atacante, cuenta.dni, cuenta.password) == 200


async def test_una_password_actual_errada_cuenta_como_fallo_de_login(desde, fabrica):
    cuenta = await fabrica.cuenta("tecnico")
    cliente = desde()
    mala = {"passwordActual": "no-es-la-actual", "passwordNueva": "nueva-clave-larga-789"}
    for _ in range(4):
        r = await cliente.put("/api/usuarios/usuario/password", json=mala, headers=cuenta.headers)
        assert _sobre_error(r, 422)["data"] == {"campo": "passwordActual"}

    # Four wrong current passwords and one wrong login are five failures: locked at this address.
    assert await _fallar(cliente, cuenta.dni, 1) == [401]
    _frenado(await cliente.post("/auth", json={"dni": cuenta.dni, "password": cuenta.password}))
    buena = {"passwordActual": cuenta.password, "passwordNueva": "nueva-clave-larga-789"}
    _frenado(await cliente.put("/api/usuarios/usuario/password", json=buena, headers=cuenta.headers))


async def test_los_contadores_viejos_se_borran(desde, fabrica, sessions):
    """A successful login prunes counters older than 15 minutes and addresses unused for 30 days."""
    cuenta = await fabrica.cuenta("tecnico")
    t = m.IntentoLogin
    ahora = datetime.now(UTC)
    viejas = [("par", f"{nuevo_dni()}@x"), ("dni", nuevo_dni()), ("direccion", "x"), ("conocida", "y@x")]
    vigentes = [("par", f"{nuevo_dni()}@z"), ("conocida", "y@z")]
    edades = [VENTANA + timedelta(minutes=1)] * 3 + [timedelta(days=31)]
    edades += [VENTANA - timedelta(minutes=1), timedelta(days=29)]
    async with sessions.begin() as s:
        for (ambito, clave), edad in zip(viejas + vigentes, edades, strict=True):
            await s.execute(insert(t).values(ambito=ambito, clave=clave, fallos=3, ultimo=ahora - edad))

    assert await _entrar(desde(), cuenta.dni, cuenta.password) == 200

    async with sessions() as s:
        quedan = set(map(tuple, (await s.execute(select(t.ambito, t.clave))).all()))
    assert not quedan & set(viejas)
    assert set(vigentes) <= quedan


# --- Token validity --------------------------------------------------------------------------------


async def _validar(http, token: str):
    return await http.get("/auth/validar-token", headers=auth(token))


async def test_validar_token_responde_texto_plano(http, tokens):
    r = await _validar(http, tokens["red"])
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text == "Token válido y usuario activo"


def _manipular(token: str, **cambios) -> str:
    """The same token with its payload changed and the original signature kept."""
    cabecera, carga, firma = token.split(".")
    datos = json.loads(base64.urlsafe_b64decode(carga + "=" * (-len(carga) % 4))) | cambios
    nueva = base64.urlsafe_b64encode(json.dumps(datos).encode()).rstrip(b"=").decode()
    return f"{cabecera}.{nueva}.{firma}"


def _firmar(token: str, clave: str, **cambios) -> str:
    """The claims of a real token, changed, signed again with `clave` (HS256, as documented)."""
    carga = jwt.decode(token, options={"verify_signature": False}) | cambios
    return jwt.encode(carga, clave, algorithm="HS256")


async def test_tokens_rechazados(http, tokens, settings, fabrica):
    cuenta = await fabrica.cuenta("tecnico")
    carga = jwt.decode(cuenta.token, options={"verify_signature": False})
    clave = settings.jwt_secret.get_secret_value()
    hace_un_minuto = int(datetime.now(UTC).timestamp()) - 60
    expirado = _firmar(cuenta.token, clave, exp=hace_un_minuto)
    otra_clave = _firmar(cuenta.token, "otra-clave" * 5)
    sin_firma = jwt.encode({k: v for k, v in carga.items()}, key=None, algorithm="none")
    admin_id = jwt.decode(tokens["administrador"], options={"verify_signature": False})["sub"]
    casos = {
        "expirado": expirado,
        "firmado con otra clave": otra_clave,
        "alg none": sin_firma,
        "carga alterada": _manipular(cuenta.token, sub=admin_id),
        "firma alterada": cuenta.token[:-2] + ("AA" if not cuenta.token.endswith("AA") else "BB"),
        "basura": "no-es-un-token",
    }
    for nombre, token in casos.items():
        for r in (await _validar(http, token), await http.get("/api/usuarios/usuario", headers=auth(token))):
            cuerpo = _sobre_error(r, 401)
            assert cuerpo["message"] == "token inválido o expirado", nombre
            assert r.headers["www-authenticate"] == "Bearer"
    assert (await _validar(http, cuenta.token)).status_code == 200


async def test_usuario_desactivado_pierde_sus_tokens_y_los_recupera_al_reactivarlo(http, fabrica, admin):
    cuenta = await fabrica.cuenta("tecnico")
    assert (await _validar(http, cuenta.token)).status_code == 200

    await http.put(f"/api/usuarios/{cuenta.id}", json={"activo": False}, headers=admin)
    _sobre_error(await _validar(http, cuenta.token), 401)
    _sobre_error(await http.get("/api/usuarios/usuario", headers=cuenta.headers), 401)

    await http.put(f"/api/usuarios/{cuenta.id}", json={"activo": True}, headers=admin)
    assert (await _validar(http, cuenta.token)).status_code == 200


async def test_usuario_eliminado_pierde_sus_tokens(http, fabrica, admin):
    cuenta = await fabrica.cuenta("tecnico")
    assert (await http.delete(f"/api/usuarios/{cuenta.id}", headers=admin)).status_code == 200
    _sobre_error(await _validar(http, cuenta.token), 401)
    _sobre_error(await http.post("/auth", json={"dni": cuenta.dni, "password": cuenta.password}), 401)


async def test_rol_que_pierde_un_permiso_se_nota_en_la_siguiente_peticion(http, fabrica, admin):
    rol = await fabrica.rol("VER_TODOS", "ADMINISTRAR")
    cuenta = await fabrica.cuenta(rol)
    assert (await http.get("/api/usuarios/roles", headers=cuenta.headers)).status_code == 200

    r = await http.put(f"/api/usuarios/roles/{rol}", json={"permisos": ["VER_TODOS"]}, headers=admin)
    assert r.status_code == 200

    cuerpo = _sobre_error(await http.get("/api/usuarios/roles", headers=cuenta.headers), 403)
    assert "ADMINISTRAR" in cuerpo["message"]


async def test_rol_que_pierde_ver_todos_ya_no_ve_pendientes_ajenos(http, fabrica, admin, tokens, sessions):
    async with sessions() as s:
        cliente_id = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000002"))
    alta = {"clienteId": cliente_id, "tipo": "INSTALACION_CAMARAS", "lugar": "PUNO", "prioridad": "MEDIA"}
    creado = await http.post("/api/pendientes", json=alta, headers=auth(tokens["coordinadora"]))
    assert creado.status_code == 201, creado.text
    pendiente_id = creado.json()["data"]["id"]
    rol = await fabrica.rol("VER_TODOS", "VER_DETALLE")
    cuenta = await fabrica.cuenta(rol)
    assert (await http.get(f"/api/pendientes/{pendiente_id}", headers=cuenta.headers)).status_code == 200

    await http.put(f"/api/usuarios/roles/{rol}", json={"permisos": ["VER_DETALLE"]}, headers=admin)

    r = await http.get(f"/api/pendientes/{pendiente_id}", headers=cuenta.headers)
    assert r.status_code == 403 and r.json()["data"] != creado.json()["data"]


async def test_rol_eliminado_invalida_los_tokens_de_sus_usuarios_inactivos_reactivados(http, fabrica, admin):
    rol = await fabrica.rol("VER_DETALLE")
    cuenta = await fabrica.cuenta(rol)
    await http.put(f"/api/usuarios/{cuenta.id}", json={"activo": False}, headers=admin)
    assert (await http.delete(f"/api/usuarios/roles/{rol}", headers=admin)).status_code == 200

    _sobre_error(await _validar(http, cuenta.token), 401)
    r = await http.put(f"/api/usuarios/{cuenta.id}", json={"activo": True}, headers=admin)
    assert _sobre_error(r, 409)["data"] == {"campo": "idRol"}


async def test_cambiar_la_password_anula_los_tokens_anteriores(http, fabrica, admin):
    cuenta = await fabrica.cuenta("tecnico")
    otro_dispositivo = await fabrica.login(cuenta.dni, cuenta.password)
    nueva = "otra-clave-larga-456"

    r = await http.put(
        "/api/usuarios/usuario/password",
        json={"passwordActual": cuenta.password, "passwordNueva": nueva},
        headers=cuenta.headers,
    )

    assert r.status_code == 200, r.text
    for viejo in (cuenta.token, otro_dispositivo):
        _sobre_error(await _validar(http, viejo), 401)
    assert (await _validar(http, r.json()["data"]["token"])).status_code == 200
    assert (await http.post("/auth", json={"dni": cuenta.dni, "password": nueva})).status_code == 200
    _sobre_error(await http.post("/auth", json={"dni": cuenta.dni, "password": cuenta.password}), 401)

    # An administrator resetting the password also logs the user out everywhere.
    token = await fabrica.login(cuenta.dni, nueva)
    await http.put(f"/api/usuarios/{cuenta.id}", json={"password": "reseteada-por-admin"}, headers=admin)
    _sobre_error(await _validar(http, token), 401)


async def test_cambio_de_password_propio_valida_la_actual_y_el_largo(http, fabrica):
    cuenta = await fabrica.cuenta("tecnico")
    mala = {"passwordActual": "no-es-esta", "passwordNueva": "nueva-clave-larga"}
    r = await http.put("/api/usuarios/usuario/password", json=mala, headers=cuenta.headers)
    assert _sobre_error(r, 422)["data"] == {"campo": "passwordActual"}

    corta = {"passwordActual": cuenta.password, "passwordNueva": "corta"}
    r = await http.put("/api/usuarios/usuario/password", json=corta, headers=cuenta.headers)
    assert _sobre_error(r, 422)["data"]["campo"] == "passwordNueva"
    assert (await _validar(http, cuenta.token)).status_code == 200


# --- Refresh ---------------------------------------------------------------------------------------


async def test_refrescar_da_un_token_nuevo_que_conserva_el_inicio_de_sesion(http, fabrica):
    cuenta = await fabrica.cuenta("tecnico")
    r = await http.post("/auth/refrescar", headers=cuenta.headers)

    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert set(data) == {"token", "nombre", "email", "rol", "expiraEn"}
    assert (await _validar(http, data["token"])).status_code == 200
    antes = jwt.decode(cuenta.token, options={"verify_signature": False})
    despues = jwt.decode(data["token"], options={"verify_signature": False})
    assert despues["auth_time"] == antes["auth_time"] and despues["exp"] >= antes["exp"]


def _sesion_iniciada_hace(token: str, clave: str, edad: timedelta) -> str:
    """A fresh access token (valid for an hour) whose session began `edad` ago."""
    ahora = datetime.now(UTC)
    inicio = int((ahora - edad).timestamp())
    return _firmar(
        token, clave, iat=int(ahora.timestamp()), exp=int(ahora.timestamp()) + 3600, auth_time=inicio
    )


@pytest.mark.parametrize(
    ("edad", "status"),
    [(SESION_MAXIMA - timedelta(hours=1), 200), (SESION_MAXIMA + timedelta(minutes=1), 401)],
    ids=["29-dias-23-horas", "30-dias-y-un-minuto"],
)
async def test_refrescar_se_corta_a_los_30_dias_del_ingreso(http, fabrica, settings, edad, status):
    cuenta = await fabrica.cuenta("tecnico")
    token = _sesion_iniciada_hace(cuenta.token, settings.jwt_secret.get_secret_value(), edad)
    assert (await _validar(http, token)).status_code == 200  # still a valid access token

    r = await http.post("/auth/refrescar", headers=auth(token))

    if status == 200:
        assert r.status_code == 200, r.text
        nuevo = jwt.decode(r.json()["data"]["token"], options={"verify_signature": False})
        assert nuevo["auth_time"] == jwt.decode(token, options={"verify_signature": False})["auth_time"]
    else:
        assert "inicie sesión" in _sobre_error(r, 401)["message"]


async def test_refrescar_rechaza_usuarios_desactivados_y_tokens_invalidos(http, fabrica, admin):
    cuenta = await fabrica.cuenta("tecnico")
    await http.put(f"/api/usuarios/{cuenta.id}", json={"activo": False}, headers=admin)
    _sobre_error(await http.post("/auth/refrescar", headers=cuenta.headers), 401)
    _sobre_error(await http.post("/auth/refrescar"), 401)
