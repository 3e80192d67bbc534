"""A fresh install without demo data: `python -m ops.cli migrate` and `create-admin` as an operator
runs them, then the API on that database, where the only administrator cannot lock everyone out."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest
from pydantic import SecretStr

from ops.cli import AdminNuevo, crear_admin
from tests.conftest import auth, create_database

DNI, PASSWORD = "40000001", "primer-admin-seguro"


def cli(database_url: str, *args: str, password: str | None = PASSWORD) -> subprocess.CompletedProcess:
    env = os.environ | {"DATABASE_URL": database_url, "ENVIRONMENT": "test"}
    env.pop("ADMIN_PASSWORD", None)
    if password is not None:
        env["ADMIN_PASSWORD"] = password
    comando = [sys.executable, "-m", "ops.cli", *args]
    # A new session has no controlling terminal, so getpass cannot wait on one.
    return subprocess.run(
        comando,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def crear(
    database_url: str, dni: str = DNI, email: str = "admin@simax.pe", **kw
) -> subprocess.CompletedProcess:
    return cli(database_url, "create-admin", "--dni", dni, "--nombre", f"Admin {dni}", "--email", email, **kw)


@pytest.fixture(scope="module")
def instalacion(postgres_server_url: str) -> str:
    url = create_database(postgres_server_url, "instalacion")
    migrado = cli(url, "migrate")
    assert migrado.returncode == 0, migrado.stderr
    primero = crear(url)
    assert primero.returncode == 0, primero.stderr
    assert primero.stdout.strip() == f"administrator {DNI} created"
    return url


@pytest.fixture(scope="module")
async def http_nuevo(instalacion, settings, temporal_env):
    from api.main import create_app

    app = create_app(settings.model_copy(update={"database_url": instalacion}), temporal=temporal_env.client)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://nuevo.test") as client:
            yield client


async def _login(http, dni: str = DNI, password: str = PASSWORD) -> httpx.Response:
    return await http.post("/auth", json={"dni": dni, "password": password})


def test_create_admin_es_idempotente_y_valida(instalacion):
    otra_vez = crear(instalacion)
    assert otra_vez.returncode == 0 and otra_vez.stdout.strip() == f"administrator {DNI} updated"

    corta = crear(instalacion, dni="40000002", email="otro@simax.pe", password="corta")
    assert corta.returncode == 2 and "password" in corta.stderr
    repetido = crear(instalacion, dni="40000003", email="admin@simax.pe")
    assert repetido.returncode == 1 and "email" in repetido.stderr
    sin_password = crear(instalacion, dni="40000004", email="x@simax.pe", password=None)
    assert sin_password.returncode == 1 and "ADMIN_PASSWORD" in sin_password.stderr
    for salida in (otra_vez, corta, repetido):
        assert PASSWORD not in salida.stdout + salida.stderr


async def test_el_admin_entra_y_ve_todo_el_menu_sin_datos_demo(http_nuevo):
    r = await _login(http_nuevo)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["rol"] == "Administrador"
    token = r.json()["data"]["token"]

    menu = (await http_nuevo.get("/api/usuarios/modulos/usuario", headers=auth(token))).json()["data"]
    assert len(menu) == 20
    usuarios = (await http_nuevo.get("/api/usuarios", headers=auth(token))).json()["data"]
    assert [u["dni"] for u in usuarios] == [DNI]
    assert (await _login(http_nuevo, "10000001", "pendientes-demo")).status_code == 401


async def test_el_unico_administrador_no_puede_dejar_el_sistema_sin_administrar(http_nuevo, instalacion):
    h = auth((await _login(http_nuevo)).json()["data"]["token"])
    yo = (await http_nuevo.get("/api/usuarios/usuario", headers=h)).json()["data"]["id"]
    r = await http_nuevo.post("/api/usuarios/roles", json={"id": "lector", "nombre": "Lector"}, headers=h)
    assert r.status_code == 201

    for metodo, ruta, cuerpo in [
        ("PUT", f"/api/usuarios/{yo}", {"activo": False}),
        ("PUT", f"/api/usuarios/{yo}", {"idRol": "lector"}),
        ("DELETE", f"/api/usuarios/{yo}", None),
        ("PUT", "/api/usuarios/roles/administrador", {"permisos": ["VER_TODOS"]}),
    ]:
        r = await http_nuevo.request(metodo, ruta, json=cuerpo, headers=h)
        assert r.status_code == 409, (ruta, cuerpo, r.text)
        assert "ADMINISTRAR" in r.json()["message"]
    assert (await _login(http_nuevo)).status_code == 200  # nothing changed

    # With a second administrator the first may step down.
    segundo = {"nombre": "Segundo", "dni": "40000009", "email": "s@simax.pe", "password": PASSWORD}
    r = await http_nuevo.post("/api/usuarios", json=segundo | {"idRol": "administrador"}, headers=h)
    assert r.status_code == 201
    assert (await http_nuevo.put(f"/api/usuarios/{yo}", json={"activo": False}, headers=h)).status_code == 200
    assert (await _login(http_nuevo)).status_code == 401

    # create-admin is the way back in: it reactivates and repairs the account.
    datos = AdminNuevo(dni=DNI, nombre=f"Admin {DNI}", email="admin@simax.pe", password=SecretStr(PASSWORD))
    assert await crear_admin(instalacion, datos) is False
    assert (await _login(http_nuevo)).status_code == 200
