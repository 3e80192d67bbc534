"""Who may call what: every identity route and the pendiente routes of this issue, against every demo
role. The table is typed here from product-decisions.md (Permissions) and the README, never computed
from domain, so a change in either side fails this test.

Allowed means the exact answer the route gives that role, written per row: a read answers 200, a create
with a valid body 201. Writes to an id that exists nowhere answer 404 and change nothing; the password
change is sent empty and answers 422 (a real change would log the demo user out of every other test).
Those 404s and 422s come after authorization, so they still prove the role got through. Denied means
403 naming the permission, for the same request. The last test checks that the table covers every
identity route of the app."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import select

from db import models as m
from tests.conftest import auth

ROLES = [
    "administrador",
    "coordinadora",
    "asesor",
    "atencion-cliente",
    "contabilidad",
    "tecnico",
    "tecnico2",
    "red",
]
TODOS = frozenset(ROLES)
ADMIN = frozenset({"administrador"})
REGISTRAN = frozenset({"administrador", "coordinadora", "atencion-cliente"})
VEN_TODOS = frozenset({"administrador", "coordinadora", "asesor", "atencion-cliente", "contabilidad", "red"})

NADA = 987654321  # an id that exists nowhere: admin writes answer 404 and change nothing


def _usuario(v: dict) -> dict:
    return {
        "nombre": f"Matriz {v['u']}",
        "dni": f"4{v['n']:07d}",
        "email": f"m{v['u']}@simax.pe",
        "password": "clave-de-prueba-123",
        "idRol": "tecnico",
    }


def _empleado(v: dict) -> dict:
    hoy = datetime.now(ZoneInfo("America/Lima")).date().isoformat()
    return {"nombre": f"Matriz {v['u']}", "cargoId": v["cargo"], "fechaIngreso": hoy}


def _pendiente(v: dict) -> dict:
    return {"clienteId": v["cliente"], "tipo": "INSTALACION_CAMARAS", "lugar": "JULI", "prioridad": "BAJA"}


def _vacio(v: dict) -> dict:
    return {}


def _nombre(v: dict) -> dict:
    return {"nombre": f"Matriz {v['u']}"}


def _modulo(v: dict) -> dict:
    return {"nombre": f"Matriz {v['u']}", "ruta": f"/prueba/{v['u']}"}  # /prueba/: outside the demo menu


def _rol(v: dict) -> dict:
    return {"id": f"m-{v['u']}", "nombre": f"Matriz {v['u']}", "permisos": []}


def _sync(v: dict) -> dict:
    return {"rolId": "no-existe", "moduloIds": []}


# (method, route template, value for its path parameter, body, who is allowed, what they get,
#  permission named on denial)
MATRIZ = [
    ("GET", "/auth/validar-token", None, None, TODOS, 200, None),
    ("POST", "/auth/refrescar", None, None, TODOS, 200, None),
    ("GET", "/api/usuarios/usuario", None, None, TODOS, 200, None),
    ("PUT", "/api/usuarios/usuario/password", None, _vacio, TODOS, 422, None),
    ("GET", "/api/usuarios/modulos/usuario", None, None, TODOS, 200, None),
    ("GET", "/api/usuarios", None, None, ADMIN, 200, "ADMINISTRAR"),
    ("POST", "/api/usuarios", None, _usuario, ADMIN, 201, "ADMINISTRAR"),
    ("GET", "/api/usuarios/{id}", "usuario", None, ADMIN, 200, "ADMINISTRAR"),
    ("PUT", "/api/usuarios/{id}", NADA, _vacio, ADMIN, 404, "ADMINISTRAR"),
    ("DELETE", "/api/usuarios/{id}", NADA, None, ADMIN, 404, "ADMINISTRAR"),
    ("GET", "/api/usuarios/roles", None, None, ADMIN, 200, "ADMINISTRAR"),
    ("POST", "/api/usuarios/roles", None, _rol, ADMIN, 201, "ADMINISTRAR"),
    ("PUT", "/api/usuarios/roles/{id}", "no-existe", _vacio, ADMIN, 404, "ADMINISTRAR"),
    ("DELETE", "/api/usuarios/roles/{id}", "no-existe", None, ADMIN, 404, "ADMINISTRAR"),
    ("GET", "/api/usuarios/modulos", None, None, ADMIN, 200, "ADMINISTRAR"),
    ("POST", "/api/usuarios/modulos", None, _modulo, ADMIN, 201, "ADMINISTRAR"),
    ("GET", "/api/usuarios/modulos/{id}", "modulo", None, ADMIN, 200, "ADMINISTRAR"),
    ("PUT", "/api/usuarios/modulos/{id}", NADA, _vacio, ADMIN, 404, "ADMINISTRAR"),
    ("DELETE", "/api/usuarios/modulos/{id}", NADA, None, ADMIN, 404, "ADMINISTRAR"),
    ("GET", "/api/usuarios/modulos/rol/{id}", "tecnico", None, ADMIN, 200, "ADMINISTRAR"),
    ("POST", "/api/usuarios/modulos/sync", None, _sync, ADMIN, 404, "ADMINISTRAR"),  # unknown role
    ("GET", "/api/empleados", None, None, TODOS, 200, None),
    ("GET", "/api/empleados/cargos", None, None, TODOS, 200, None),
    ("POST", "/api/empleados", None, _empleado, ADMIN, 201, "ADMINISTRAR"),
    ("PUT", "/api/empleados/{id}", NADA, _vacio, ADMIN, 404, "ADMINISTRAR"),
    ("DELETE", "/api/empleados/{id}", NADA, None, ADMIN, 404, "ADMINISTRAR"),
    ("POST", "/api/empleados/cargo", None, _nombre, ADMIN, 201, "ADMINISTRAR"),
    ("PUT", "/api/empleados/cargo/{id}", NADA, _vacio, ADMIN, 404, "ADMINISTRAR"),
    ("DELETE", "/api/empleados/cargo/{id}", NADA, None, ADMIN, 404, "ADMINISTRAR"),
    ("POST", "/api/pendientes", None, _pendiente, REGISTRAN, 201, "REGISTRAR_PENDIENTE"),
    # A pendiente registered by the coordinadora and assigned to nobody: technicians may not see it.
    ("GET", "/api/pendientes/{id}", "pendiente", None, VEN_TODOS, 200, "VER_DETALLE"),
]


@pytest.fixture(scope="module")
async def valores(sessions, http, tokens) -> dict[str, object]:
    async with sessions() as s:
        usuario = await s.scalar(select(m.Usuario.id).where(m.Usuario.dni == "10000003"))
        modulo = await s.scalar(select(m.Modulo.id).where(m.Modulo.ruta == "/pagos"))
        cliente = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000003"))
        cargo = await s.scalar(select(m.Cargo.id).where(m.Cargo.nombre == "Tecnico"))
    alta = {"clienteId": cliente, "tipo": "INSTALACION_CAMARAS", "lugar": "JULI", "prioridad": "BAJA"}
    r = await http.post("/api/pendientes", json=alta, headers=auth(tokens["coordinadora"]))
    assert r.status_code == 201, r.text
    pendiente = r.json()["data"]["id"]
    return {"usuario": usuario, "modulo": modulo, "cliente": cliente, "cargo": cargo, "pendiente": pendiente}


@pytest.mark.parametrize("rol", ROLES)
@pytest.mark.parametrize(
    ("metodo", "ruta", "parametro", "cuerpo", "permitidos", "exito", "permiso"),
    MATRIZ,
    ids=[f"{f[0]} {f[1]}" for f in MATRIZ],
)
async def test_matriz(
    http, tokens, valores, rol, metodo, ruta, parametro, cuerpo, permitidos, exito, permiso
):
    if parametro is not None:
        ruta = ruta.format(id=valores.get(parametro, parametro))
    unico = uuid.uuid4()  # fresh names, DNI and ids for each create
    datos = cuerpo(valores | {"u": unico.hex[:10], "n": unico.int % 10**7}) if cuerpo else None

    r = await http.request(metodo, ruta, json=datos, headers=auth(tokens[rol]))

    if rol in permitidos:
        assert r.status_code == exito, r.text
    else:
        assert r.status_code == 403, r.text
        assert r.json()["success"] is False and r.json()["code"] == 403
        assert permiso in r.json()["message"] or permiso in str(r.json()["data"])


def test_la_matriz_cubre_todas_las_rutas_de_identidad(app):
    prefijos = ("/auth", "/api/usuarios", "/api/empleados")
    rutas = {
        (metodo, ctx.path)
        for ctx in iter_route_contexts(app.routes)
        if ctx.path and ctx.path.startswith(prefijos)
        for metodo in (ctx.methods or set()) - {"HEAD"}
    }
    publicas = {("POST", "/auth")}
    assert rutas - publicas == {(metodo, ruta) for metodo, ruta, *_ in MATRIZ if ruta.startswith(prefijos)}
