"""/api/usuarios: accounts with the defects of the original fixed (link to empleado saved, activo on
update, no password key, honest codes), partial PUTs and soft delete. The last-administrator guard is
tested on a fresh install (test_instalacion.py)."""

from __future__ import annotations

import pytest

from tests.api.identidad.conftest import PASSWORD, nuevo_dni
from tests.conftest import auth

CAMPOS_USUARIO = {"id", "nombre", "dni", "email", "activo", "rol", "empleado"}


def alta(**extra) -> dict:
    dni = nuevo_dni()
    base = {
        "nombre": f"Usuario {dni}",
        "dni": dni,
        "email": f"u{dni}@simax.pe",
        "password": PASSWORD,
        "idRol": "tecnico",
    }
    return base | extra


async def test_crear_guarda_el_vinculo_con_el_empleado(http, admin, fabrica):
    empleado_id = await fabrica.empleado("Wilma")
    r = await http.post(
        "/api/usuarios", json=alta(empleadoId=empleado_id, email="Wilma.X@Simax.PE"), headers=admin
    )

    assert r.status_code == 201, r.text
    cuerpo = r.json()
    assert cuerpo["code"] == 201 and cuerpo["message"] == "Usuario creado correctamente"
    data = cuerpo["data"]
    assert set(data) == CAMPOS_USUARIO
    assert data["activo"] is True and data["email"] == "wilma.x@simax.pe"
    assert data["empleado"] == {"id": empleado_id, "nombre": "Wilma Mamani"}
    assert data["rol"]["id"] == "tecnico"
    assert set(data["rol"]["permisos"]) == {"VER_DETALLE", "EJECUTAR_TRABAJO", "REGISTRAR_PAGO"}
    assert (await http.get(f"/api/usuarios/{data['id']}", headers=admin)).json()["data"] == data


async def test_el_usuario_del_token_ve_su_cuenta(http, tokens):
    r = await http.get("/api/usuarios/usuario", headers=auth(tokens["tecnico"]))
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["dni"] == "10000006" and data["rol"]["nombre"] == "Tecnico"
    assert data["empleado"]["nombre"] == "Edwin Mamani"
    assert "password" not in data and "passwordHash" not in data


async def test_lista_incluye_inactivos_y_nunca_passwords(http, admin, fabrica):
    inactiva = await fabrica.cuenta("tecnico")
    await http.put(f"/api/usuarios/{inactiva.id}", json={"activo": False}, headers=admin)

    r = await http.get("/api/usuarios", headers=admin)

    assert r.status_code == 200
    usuarios = {u["id"]: u for u in r.json()["data"]}
    assert usuarios[inactiva.id]["activo"] is False
    assert all(set(u) == CAMPOS_USUARIO for u in usuarios.values())
    assert "password" not in r.text and "argon2" not in r.text


async def test_put_parcial_cambia_solo_lo_presente(http, admin, fabrica):
    cuenta = await fabrica.cuenta("tecnico")
    antes = (await http.get(f"/api/usuarios/{cuenta.id}", headers=admin)).json()["data"]

    r = await http.put(f"/api/usuarios/{cuenta.id}", json={"nombre": "Nombre Nuevo"}, headers=admin)

    assert r.status_code == 200, r.text
    assert r.json()["data"] == antes | {"nombre": "Nombre Nuevo"}
    # The password did not change either: the old one still logs in.
    assert (
        await http.post("/auth", json={"dni": cuenta.dni, "password": cuenta.password})
    ).status_code == 200


async def test_put_vincula_y_desvincula_el_empleado_y_cambia_el_rol(http, admin, fabrica):
    cuenta = await fabrica.cuenta("tecnico", con_empleado=False)
    empleado_id = await fabrica.empleado("Vinculado")

    r = await http.put(
        f"/api/usuarios/{cuenta.id}", json={"empleadoId": empleado_id, "idRol": "red"}, headers=admin
    )
    assert r.json()["data"]["empleado"]["id"] == empleado_id
    assert r.json()["data"]["rol"]["id"] == "red"

    r = await http.put(f"/api/usuarios/{cuenta.id}", json={"empleadoId": None}, headers=admin)
    assert r.status_code == 200 and r.json()["data"]["empleado"] is None


async def test_un_empleado_solo_tiene_una_cuenta(http, admin, fabrica):
    cuenta = await fabrica.cuenta("tecnico")
    r = await http.post("/api/usuarios", json=alta(empleadoId=cuenta.empleado_id), headers=admin)
    assert r.status_code == 409
    assert r.json()["data"] == {"campo": "empleadoId"}


@pytest.mark.parametrize("campo", ["nombre", "dni", "email"])
async def test_duplicados_dan_409_nombrando_el_campo(http, admin, campo):
    primero = alta()
    assert (await http.post("/api/usuarios", json=primero, headers=admin)).status_code == 201
    segundo = alta(**{campo: primero[campo]})

    r = await http.post("/api/usuarios", json=segundo, headers=admin)

    assert r.status_code == 409, r.text
    assert r.json() == {
        "success": False,
        "code": 409,
        "message": r.json()["message"],
        "data": {"campo": campo},
    }
    otro = (await http.post("/api/usuarios", json=alta(), headers=admin)).json()["data"]
    r = await http.put(f"/api/usuarios/{otro['id']}", json={campo: primero[campo]}, headers=admin)
    assert r.status_code == 409 and r.json()["data"] == {"campo": campo}


@pytest.mark.parametrize(
    ("cambio", "status", "campo"),
    [
        ({"idRol": "no-existe"}, 404, "idRol"),
        ({"empleadoId": 987654321}, 404, "empleadoId"),
        ({"empleadoId": 0}, 422, "empleadoId"),
        ({"empleadoId": 2**63}, 422, "empleadoId"),
        ({"password": "corta"}, 422, "password"),
        ({"password": None}, 422, "password"),
        ({"email": "no-es-email"}, 422, "email"),
        ({"dni": "12-34"}, 422, "dni"),
        ({"nombre": "   "}, 422, "nombre"),
        ({"activo": None}, 422, "activo"),
        ({"idRol": "Con Espacios"}, 422, "idRol"),
    ],
)
async def test_datos_invalidos_nombran_el_campo(http, admin, cambio, status, campo):
    r = await http.post("/api/usuarios", json=alta(**cambio), headers=admin)
    assert r.status_code == status, r.text
    assert r.json()["data"]["campo"] == campo


@pytest.mark.parametrize("campo", ["nombre", "dni", "email", "password", "activo", "idRol"])
async def test_put_con_null_en_un_campo_obligatorio_da_422(http, admin, fabrica, campo):
    cuenta = await fabrica.cuenta("tecnico", con_empleado=False)
    r = await http.put(f"/api/usuarios/{cuenta.id}", json={campo: None}, headers=admin)
    assert r.status_code == 422 and r.json()["data"]["campo"] == campo


async def test_eliminado_da_404_desaparece_y_libera_su_empleado(http, admin, fabrica):
    cuenta = await fabrica.cuenta("tecnico")

    r = await http.delete(f"/api/usuarios/{cuenta.id}", headers=admin)

    assert r.json() == {
        "success": True,
        "code": 200,
        "message": "Usuario eliminado correctamente",
        "data": None,
    }
    for respuesta in (
        await http.get(f"/api/usuarios/{cuenta.id}", headers=admin),
        await http.put(f"/api/usuarios/{cuenta.id}", json={"activo": True}, headers=admin),
        await http.delete(f"/api/usuarios/{cuenta.id}", headers=admin),
    ):
        assert respuesta.status_code == 404
    lista = (await http.get("/api/usuarios", headers=admin)).json()["data"]
    assert cuenta.id not in {u["id"] for u in lista}
    nueva = await http.post("/api/usuarios", json=alta(empleadoId=cuenta.empleado_id), headers=admin)
    assert nueva.status_code == 201


async def test_ids_fuera_de_rango_dan_422(http, admin):
    for ruta in ("/api/usuarios/0", "/api/usuarios/99999999999999999999", "/api/usuarios/abc"):
        r = await http.get(ruta, headers=admin)
        assert r.status_code == 422 and r.json()["data"]["campo"] == "id"


@pytest.mark.parametrize(
    ("metodo", "ruta", "cuerpo", "campo"),
    [
        ("POST", "/auth", {"dni": "1000\x000001", "password": "x"}, "dni"),
        ("POST", "/api/usuarios", alta(nombre="Nulo\x00"), "nombre"),
        ("POST", "/api/usuarios/roles", {"id": "nulo", "nombre": "N\x00"}, "nombre"),
        ("PUT", "/api/usuarios/roles/a%00b", {}, "id"),
        ("GET", "/api/usuarios/modulos/rol/a%00b", None, "id"),
        ("POST", "/api/usuarios/modulos/sync", {"rolId": "a\x00", "moduloIds": []}, "rolId"),
        ("POST", "/api/empleados/cargo", {"nombre": "C\x00"}, "nombre"),
    ],
)
async def test_un_caracter_nulo_da_422_y_no_un_error_de_base(http, admin, metodo, ruta, cuerpo, campo):
    r = await http.request(metodo, ruta, json=cuerpo, headers=admin)
    assert r.status_code == 422, r.text
    assert r.json()["data"]["campo"] == campo
