"""/api/usuarios/roles: a role is a set of permission names; editable, id immutable, deleting a role in
use by an active user is a 409 (never a 500)."""

from __future__ import annotations

import uuid

import pytest


def nuevo_rol(**extra) -> dict:
    rol_id = f"rol-{uuid.uuid4().hex[:8]}"
    return {
        "id": rol_id,
        "nombre": f"Rol {rol_id}",
        "permisos": ["VER_TODOS"],
        "descripcion": "prueba",
    } | extra


async def test_crear_listar_y_editar_permisos(http, admin):
    cuerpo = nuevo_rol(permisos=["VER_HISTORIAL", "VER_TODOS", "VER_TODOS"])
    r = await http.post("/api/usuarios/roles", json=cuerpo, headers=admin)

    assert r.status_code == 201, r.text
    assert r.json()["message"] == "Rol creado correctamente"
    assert r.json()["data"] == cuerpo | {"permisos": ["VER_HISTORIAL", "VER_TODOS"]}

    r = await http.put(
        f"/api/usuarios/roles/{cuerpo['id']}", json={"permisos": ["CONFIGURAR_VLAN"]}, headers=admin
    )
    assert r.status_code == 200
    assert r.json()["data"] == cuerpo | {"permisos": ["CONFIGURAR_VLAN"]}  # nombre, descripcion kept

    r = await http.put(f"/api/usuarios/roles/{cuerpo['id']}", json={"descripcion": None}, headers=admin)
    assert r.json()["data"]["descripcion"] is None

    lista = (await http.get("/api/usuarios/roles", headers=admin)).json()["data"]
    assert {
        "id": cuerpo["id"],
        "nombre": cuerpo["nombre"],
        "permisos": ["CONFIGURAR_VLAN"],
        "descripcion": None,
    } in lista
    demo = {r["id"]: r for r in lista}
    assert demo["red"]["permisos"] == ["CONFIGURAR_PPPOE", "CONFIGURAR_VLAN", "VER_TODOS"]


async def test_el_id_es_inmutable(http, admin):
    cuerpo = nuevo_rol()
    await http.post("/api/usuarios/roles", json=cuerpo, headers=admin)

    r = await http.put(f"/api/usuarios/roles/{cuerpo['id']}", json={"id": "otro-id"}, headers=admin)
    assert r.status_code == 422 and r.json()["data"] == {"campo": "id"}
    # The same id in the body is harmless.
    r = await http.put(
        f"/api/usuarios/roles/{cuerpo['id']}",
        json={"id": cuerpo["id"], "nombre": "Renombrado"},
        headers=admin,
    )
    assert r.status_code == 200 and r.json()["data"]["id"] == cuerpo["id"]
    assert (await http.put("/api/usuarios/roles/otro-id", json={}, headers=admin)).status_code == 404


@pytest.mark.parametrize(
    ("cambio", "campo"),
    [
        ({"permisos": ["VER_TODOS", "ASIGNAR_PPOE"]}, "permisos"),
        ({"permisos": "VER_TODOS"}, "permisos"),
        ({"id": "Mayúsculas"}, "id"),
        ({"id": "x" * 51}, "id"),
        ({"nombre": ""}, "nombre"),
        ({"nombre": None}, "nombre"),
    ],
)
async def test_datos_invalidos_dan_422_nombrando_el_campo(http, admin, cambio, campo):
    r = await http.post("/api/usuarios/roles", json=nuevo_rol(**cambio), headers=admin)
    assert r.status_code == 422, r.text
    assert r.json()["data"]["campo"] == campo


async def test_permiso_desconocido_en_put_da_422(http, admin):
    cuerpo = nuevo_rol()
    await http.post("/api/usuarios/roles", json=cuerpo, headers=admin)
    for cambio in ({"permisos": ["INVENTADO"]}, {"permisos": None}):
        r = await http.put(f"/api/usuarios/roles/{cuerpo['id']}", json=cambio, headers=admin)
        assert r.status_code == 422 and r.json()["data"]["campo"] == "permisos"


@pytest.mark.parametrize("campo", ["id", "nombre"])
async def test_duplicado_da_409(http, admin, campo):
    primero = nuevo_rol()
    await http.post("/api/usuarios/roles", json=primero, headers=admin)
    r = await http.post("/api/usuarios/roles", json=nuevo_rol(**{campo: primero[campo]}), headers=admin)
    assert r.status_code == 409 and r.json()["data"] == {"campo": campo}


async def test_rol_en_uso_por_un_usuario_activo_da_409(http, admin, fabrica):
    rol = await fabrica.rol("VER_DETALLE")
    cuenta = await fabrica.cuenta(rol)

    r = await http.delete(f"/api/usuarios/roles/{rol}", headers=admin)
    assert r.status_code == 409, r.text
    assert r.json()["data"] == {"usuarios": 1}

    # Once its only user is inactive, the role can go; it is then 404 and absent from the list.
    await http.put(f"/api/usuarios/{cuenta.id}", json={"activo": False}, headers=admin)
    r = await http.delete(f"/api/usuarios/roles/{rol}", headers=admin)
    assert r.json() == {"success": True, "code": 200, "message": "Rol eliminado correctamente", "data": None}
    assert (await http.delete(f"/api/usuarios/roles/{rol}", headers=admin)).status_code == 404
    assert (await http.put(f"/api/usuarios/roles/{rol}", json={}, headers=admin)).status_code == 404
    lista = (await http.get("/api/usuarios/roles", headers=admin)).json()["data"]
    assert rol not in {r["id"] for r in lista}
    # A deleted role cannot be given to anyone.
    r = await http.put(f"/api/usuarios/{cuenta.id}", json={"idRol": rol, "activo": True}, headers=admin)
    assert r.status_code == 404 and r.json()["data"] == {"campo": "idRol"}
