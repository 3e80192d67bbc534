"""/api/usuarios/modulos: the menu tree, each role's menu and the sync endpoint (ancestors added,
other links removed)."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import auth

CAMPOS_MODULO = {
    "id",
    "nombre",
    "descripcion",
    "icono",
    "ruta",
    "moduloPadreId",
    "moduloPadreNombre",
    "activo",
}

# What each demo role sees, typed from the demo's intent (the screens of each job), parents included.
MENUS_DEMO = {
    "tecnico": {"/pendientes", "/pendientes/mis", "/pagos", "/pagos/lista"},
    "red": {"/pendientes", "/pendientes/faltantes-ppoe"},
    "asesor": {"/pendientes", "/pendientes/por-validar", "/pendientes/historial"},
}


async def _rutas_del_menu(http, token: str) -> set[str]:
    r = await http.get("/api/usuarios/modulos/usuario", headers=auth(token))
    assert r.status_code == 200, r.text
    return {x["ruta"] for x in r.json()["data"]}


@pytest.mark.parametrize("rol", sorted(MENUS_DEMO))
async def test_menu_del_usuario_segun_su_rol(http, tokens, rol):
    assert await _rutas_del_menu(http, tokens[rol]) == MENUS_DEMO[rol]


async def test_el_administrador_ve_los_20_modulos_de_la_referencia(http, admin):
    todos = (await http.get("/api/usuarios/modulos", headers=admin)).json()["data"]
    demo = [x for x in todos if x["ruta"] and not x["ruta"].startswith("/prueba")]
    assert len(demo) == 20
    assert all(set(x) == CAMPOS_MODULO for x in demo)
    hijos = {x["ruta"]: x["moduloPadreNombre"] for x in demo}
    assert hijos["/pendientes/mis"] == "Pendientes" and hijos["/usuarios/cargos"] == "Usuarios"
    assert hijos["/pendientes"] is None
    assert {
        x["ruta"] for x in (await http.get("/api/usuarios/modulos/usuario", headers=admin)).json()["data"]
    } >= {x["ruta"] for x in demo}


async def _modulo(http, admin, **campos) -> dict:
    cuerpo = {"nombre": f"Módulo {uuid.uuid4().hex[:6]}", "ruta": f"/prueba/{uuid.uuid4().hex[:6]}"} | campos
    r = await http.post("/api/usuarios/modulos", json=cuerpo, headers=admin)
    assert r.status_code == 201, r.text
    return r.json()["data"]


async def test_crear_editar_y_leer_un_modulo(http, admin):
    padre = await _modulo(http, admin, activo=None)
    assert padre["activo"] is True  # null means active, as in the original
    hijo = await _modulo(http, admin, moduloPadreId=padre["id"], icono="build", descripcion="d")
    assert hijo["moduloPadreNombre"] == padre["nombre"]

    r = await http.put(
        f"/api/usuarios/modulos/{hijo['id']}",
        json={"icono": "settings", "moduloPadreId": None},
        headers=admin,
    )
    assert r.status_code == 200
    assert r.json()["data"] == hijo | {"icono": "settings", "moduloPadreId": None, "moduloPadreNombre": None}
    assert (await http.get(f"/api/usuarios/modulos/{hijo['id']}", headers=admin)).json()["data"] == r.json()[
        "data"
    ]


async def test_un_modulo_no_cuelga_de_si_mismo_ni_de_un_descendiente(http, admin):
    a = await _modulo(http, admin)
    b = await _modulo(http, admin, moduloPadreId=a["id"])
    for padre in (a["id"], b["id"]):
        r = await http.put(f"/api/usuarios/modulos/{a['id']}", json={"moduloPadreId": padre}, headers=admin)
        assert r.status_code == 422 and r.json()["data"]["campo"] == "moduloPadreId"


async def test_sync_anade_ancestros_y_quita_lo_demas(http, admin, fabrica):
    raiz = await _modulo(http, admin)
    medio = await _modulo(http, admin, moduloPadreId=raiz["id"])
    hoja = await _modulo(http, admin, moduloPadreId=medio["id"])
    suelto = await _modulo(http, admin)
    rol = await fabrica.rol("VER_DETALLE")
    cuenta = await fabrica.cuenta(rol, con_empleado=False)

    r = await http.post(
        "/api/usuarios/modulos/sync", json={"rolId": rol, "moduloIds": [suelto["id"]]}, headers=admin
    )
    assert r.json() == {
        "success": True,
        "code": 200,
        "message": "Módulos sincronizados correctamente",
        "data": None,
    }
    r = await http.post(
        "/api/usuarios/modulos/sync", json={"rolId": rol, "moduloIds": [hoja["id"]]}, headers=admin
    )
    assert r.status_code == 200

    esperado = {raiz["ruta"], medio["ruta"], hoja["ruta"]}
    assert await _rutas_del_menu(http, cuenta.token) == esperado
    por_rol = (await http.get(f"/api/usuarios/modulos/rol/{rol}", headers=admin)).json()["data"]
    assert {x["ruta"] for x in por_rol} == esperado

    # An inactive module leaves the menu but stays in the admin list; a deleted one leaves both.
    await http.put(f"/api/usuarios/modulos/{hoja['id']}", json={"activo": False}, headers=admin)
    assert await _rutas_del_menu(http, cuenta.token) == {raiz["ruta"], medio["ruta"]}
    todos = {x["id"] for x in (await http.get("/api/usuarios/modulos", headers=admin)).json()["data"]}
    assert hoja["id"] in todos
    assert (await http.delete(f"/api/usuarios/modulos/{hoja['id']}", headers=admin)).status_code == 200
    todos = {x["id"] for x in (await http.get("/api/usuarios/modulos", headers=admin)).json()["data"]}
    assert hoja["id"] not in todos
    assert (await http.get(f"/api/usuarios/modulos/{hoja['id']}", headers=admin)).status_code == 404


async def test_sync_con_ids_desconocidos(http, admin):
    r = await http.post(
        "/api/usuarios/modulos/sync", json={"rolId": "no-existe", "moduloIds": []}, headers=admin
    )
    assert r.status_code == 404 and r.json()["data"] == {"campo": "rolId"}
    r = await http.post(
        "/api/usuarios/modulos/sync", json={"rolId": "red", "moduloIds": [987654321]}, headers=admin
    )
    assert r.status_code == 404 and r.json()["data"] == {"campo": "moduloIds", "ids": [987654321]}
    r = await http.get("/api/usuarios/modulos/rol/no-existe", headers=admin)
    assert r.status_code == 404


async def test_modulo_con_submodulos_no_se_elimina(http, admin):
    padre = await _modulo(http, admin)
    hijo = await _modulo(http, admin, moduloPadreId=padre["id"])
    r = await http.delete(f"/api/usuarios/modulos/{padre['id']}", headers=admin)
    assert r.status_code == 409 and r.json()["data"] == {"hijos": 1}
    await http.delete(f"/api/usuarios/modulos/{hijo['id']}", headers=admin)
    assert (await http.delete(f"/api/usuarios/modulos/{padre['id']}", headers=admin)).status_code == 200


@pytest.mark.parametrize(
    ("cuerpo", "status", "campo"),
    [
        ({"nombre": "x", "moduloPadreId": 987654321}, 404, "moduloPadreId"),
        ({"nombre": "x", "moduloPadreId": -1}, 422, "moduloPadreId"),
        ({"ruta": "/sin-nombre"}, 422, "nombre"),
    ],
)
async def test_modulo_invalido(http, admin, cuerpo, status, campo):
    r = await http.post("/api/usuarios/modulos", json=cuerpo, headers=admin)
    assert r.status_code == status and r.json()["data"]["campo"] == campo
