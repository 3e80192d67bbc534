"""Who may call what: every identity route and the pendiente routes of this issue, against every demo
role. The table is typed here from product-decisions.md (Permissions) and the README, never computed
from pendientes/domain, so a change in either side fails this test.

Allowed means the request got past authorization (any status but 401/403: a write sent with an empty
body or to an unknown id answers 422/404 without changing anything). Denied means 403 naming the
permission. The last test checks that the table covers every identity route of the app."""

from __future__ import annotations

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import select

from pendientes.db import models as m
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

# (method, route template, value for its path parameter, who is allowed, permission named on denial)
MATRIZ = [
    ("GET", "/auth/validar-token", None, TODOS, None),
    ("POST", "/auth/refrescar", None, TODOS, None),
    ("GET", "/api/usuarios/usuario", None, TODOS, None),
    ("PUT", "/api/usuarios/usuario/password", None, TODOS, None),
    ("GET", "/api/usuarios/modulos/usuario", None, TODOS, None),
    ("GET", "/api/usuarios", None, ADMIN, "ADMINISTRAR"),
    ("POST", "/api/usuarios", None, ADMIN, "ADMINISTRAR"),
    ("GET", "/api/usuarios/{id}", "usuario", ADMIN, "ADMINISTRAR"),
    ("PUT", "/api/usuarios/{id}", NADA, ADMIN, "ADMINISTRAR"),
    ("DELETE", "/api/usuarios/{id}", NADA, ADMIN, "ADMINISTRAR"),
    ("GET", "/api/usuarios/roles", None, ADMIN, "ADMINISTRAR"),
    ("POST", "/api/usuarios/roles", None, ADMIN, "ADMINISTRAR"),
    ("PUT", "/api/usuarios/roles/{id}", "no-existe", ADMIN, "ADMINISTRAR"),
    ("DELETE", "/api/usuarios/roles/{id}", "no-existe", ADMIN, "ADMINISTRAR"),
    ("GET", "/api/usuarios/modulos", None, ADMIN, "ADMINISTRAR"),
    ("POST", "/api/usuarios/modulos", None, ADMIN, "ADMINISTRAR"),
    ("GET", "/api/usuarios/modulos/{id}", "modulo", ADMIN, "ADMINISTRAR"),
    ("PUT", "/api/usuarios/modulos/{id}", NADA, ADMIN, "ADMINISTRAR"),
    ("DELETE", "/api/usuarios/modulos/{id}", NADA, ADMIN, "ADMINISTRAR"),
    ("GET", "/api/usuarios/modulos/rol/{id}", "tecnico", ADMIN, "ADMINISTRAR"),
    ("POST", "/api/usuarios/modulos/sync", None, ADMIN, "ADMINISTRAR"),
    ("GET", "/api/empleados", None, TODOS, None),
    ("GET", "/api/empleados/cargos", None, TODOS, None),
    ("POST", "/api/empleados", None, ADMIN, "ADMINISTRAR"),
    ("PUT", "/api/empleados/{id}", NADA, ADMIN, "ADMINISTRAR"),
    ("DELETE", "/api/empleados/{id}", NADA, ADMIN, "ADMINISTRAR"),
    ("POST", "/api/empleados/cargo", None, ADMIN, "ADMINISTRAR"),
    ("PUT", "/api/empleados/cargo/{id}", NADA, ADMIN, "ADMINISTRAR"),
    ("DELETE", "/api/empleados/cargo/{id}", NADA, ADMIN, "ADMINISTRAR"),
    ("POST", "/api/pendientes", None, REGISTRAN, "REGISTRAR_PENDIENTE"),
    # A pendiente registered by the coordinadora and assigned to nobody: technicians may not see it.
    ("GET", "/api/pendientes/{id}", "pendiente", VEN_TODOS, "VER_DETALLE"),
]


@pytest.fixture(scope="module")
async def valores(sessions, http, tokens) -> dict[str, object]:
    async with sessions() as s:
        usuario = await s.scalar(select(m.Usuario.id).where(m.Usuario.dni == "10000003"))
        modulo = await s.scalar(select(m.Modulo.id).where(m.Modulo.ruta == "/pagos"))
        cliente = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000003"))
    alta = {"clienteId": cliente, "tipo": "INSTALACION_CAMARAS", "lugar": "JULI", "prioridad": "BAJA"}
    r = await http.post("/api/pendientes", json=alta, headers=auth(tokens["coordinadora"]))
    assert r.status_code == 201, r.text
    return {"usuario": usuario, "modulo": modulo, "pendiente": r.json()["data"]["id"]}


@pytest.mark.parametrize("rol", ROLES)
@pytest.mark.parametrize(
    ("metodo", "ruta", "parametro", "permitidos", "permiso"), MATRIZ, ids=[f"{f[0]} {f[1]}" for f in MATRIZ]
)
async def test_matriz(http, tokens, valores, rol, metodo, ruta, parametro, permitidos, permiso):
    if parametro is not None:
        ruta = ruta.format(id=valores.get(parametro, parametro))
    cuerpo = {} if metodo in ("POST", "PUT") else None

    r = await http.request(metodo, ruta, json=cuerpo, headers=auth(tokens[rol]))

    if rol in permitidos:
        assert r.status_code not in (401, 403), r.text
        assert r.status_code < 500
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
