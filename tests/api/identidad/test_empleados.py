"""/api/empleados: staff records and cargos, partial PUTs, soft deletes and honest codes."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import auth

CAMPOS_EMPLEADO = {
    "id",
    "nombre",
    "apellidoPaterno",
    "apellidoMaterno",
    "telefono",
    "correo",
    "cargo",
    "cargoId",
    "fechaIngreso",
}


async def _cargo_id(http, admin, nombre: str = "Tecnico") -> int:
    cargos = (await http.get("/api/empleados/cargos", headers=admin)).json()["data"]
    return next(c["id"] for c in cargos if c["nombre"] == nombre)


async def _alta(http, admin, **extra) -> dict:
    cuerpo = {
        "nombre": "Yolanda",
        "apellidoPaterno": "Quispe",
        "apellidoMaterno": "Cutipa",
        "telefono": "951222333",
        "correo": "yolanda.quispe@simax.pe",
        "cargoId": await _cargo_id(http, admin),
        "fechaIngreso": "2025-02-03",
    } | extra
    return cuerpo


async def test_crear_y_listar(http, admin):
    cuerpo = await _alta(http, admin)
    r = await http.post("/api/empleados", json=cuerpo, headers=admin)

    assert r.status_code == 201, r.text
    data = r.json()["data"]
    assert set(data) == CAMPOS_EMPLEADO
    assert data == cuerpo | {"id": data["id"], "cargo": "Tecnico"}
    lista = (await http.get("/api/empleados", headers=admin)).json()["data"]
    assert data in lista


async def test_put_parcial_y_null_que_borra(http, admin):
    creado = (await http.post("/api/empleados", json=await _alta(http, admin), headers=admin)).json()["data"]
    asesor = await _cargo_id(http, admin, "Asesor")

    r = await http.put(
        f"/api/empleados/{creado['id']}", json={"telefono": None, "cargoId": asesor}, headers=admin
    )

    assert r.status_code == 200, r.text
    assert r.json()["data"] == creado | {"telefono": None, "cargoId": asesor, "cargo": "Asesor"}


@pytest.mark.parametrize(
    ("cambio", "status", "campo"),
    [
        ({"fechaIngreso": None}, 422, "fechaIngreso"),
        ({"fechaIngreso": "ayer"}, 422, "fechaIngreso"),
        ({"cargoId": 987654321}, 404, "cargoId"),
        ({"cargoId": None}, 422, "cargoId"),
        ({"nombre": None}, 422, "nombre"),
        ({"correo": "sin-arroba"}, 422, "correo"),
    ],
)
async def test_datos_invalidos(http, admin, cambio, status, campo):
    r = await http.post("/api/empleados", json=await _alta(http, admin, **cambio), headers=admin)
    assert r.status_code == status, r.text
    assert r.json()["data"]["campo"] == campo
    creado = (await http.post("/api/empleados", json=await _alta(http, admin), headers=admin)).json()["data"]
    r = await http.put(f"/api/empleados/{creado['id']}", json=cambio, headers=admin)
    assert r.status_code == status and r.json()["data"]["campo"] == campo


async def test_eliminar_es_baja_logica_y_respeta_el_vinculo_con_un_usuario(http, admin, fabrica):
    cuenta = await fabrica.cuenta("tecnico")
    r = await http.delete(f"/api/empleados/{cuenta.empleado_id}", headers=admin)
    assert r.status_code == 409 and r.json()["data"] == {"usuarioId": cuenta.id}

    await http.put(f"/api/usuarios/{cuenta.id}", json={"empleadoId": None}, headers=admin)
    r = await http.delete(f"/api/empleados/{cuenta.empleado_id}", headers=admin)
    assert r.json() == {
        "success": True,
        "code": 200,
        "message": "Empleado eliminado correctamente",
        "data": None,
    }
    assert (await http.put(f"/api/empleados/{cuenta.empleado_id}", json={}, headers=admin)).status_code == 404
    assert (await http.delete(f"/api/empleados/{cuenta.empleado_id}", headers=admin)).status_code == 404
    lista = (await http.get("/api/empleados", headers=admin)).json()["data"]
    assert cuenta.empleado_id not in {e["id"] for e in lista}
    r = await http.put(f"/api/usuarios/{cuenta.id}", json={"empleadoId": cuenta.empleado_id}, headers=admin)
    assert r.status_code == 404 and r.json()["data"] == {"campo": "empleadoId"}


async def test_cargos(http, admin):
    nombre = f"Cargo {uuid.uuid4().hex[:6]}"
    r = await http.post("/api/empleados/cargo", json={"nombre": nombre, "descripcion": "d"}, headers=admin)
    assert r.status_code == 201 and r.json()["message"] == "Cargo creado correctamente"
    cargo = r.json()["data"]
    assert cargo == {"id": cargo["id"], "nombre": nombre, "descripcion": "d"}

    r = await http.post("/api/empleados/cargo", json={"nombre": nombre}, headers=admin)
    assert r.status_code == 409 and r.json()["data"] == {"campo": "nombre"}
    r = await http.put(f"/api/empleados/cargo/{cargo['id']}", json={"descripcion": None}, headers=admin)
    assert r.json()["data"] == cargo | {"descripcion": None}
    r = await http.put(f"/api/empleados/cargo/{cargo['id']}", json={"nombre": "Tecnico"}, headers=admin)
    assert r.status_code == 409

    empleado = await http.post(
        "/api/empleados", json=await _alta(http, admin, cargoId=cargo["id"]), headers=admin
    )
    r = await http.delete(f"/api/empleados/cargo/{cargo['id']}", headers=admin)
    assert r.status_code == 409 and r.json()["data"] == {"empleados": 1}
    await http.delete(f"/api/empleados/{empleado.json()['data']['id']}", headers=admin)
    assert (await http.delete(f"/api/empleados/cargo/{cargo['id']}", headers=admin)).status_code == 200
    cargos = (await http.get("/api/empleados/cargos", headers=admin)).json()["data"]
    assert cargo["id"] not in {c["id"] for c in cargos}
    assert (await http.put(f"/api/empleados/cargo/{cargo['id']}", json={}, headers=admin)).status_code == 404
    r = await http.post("/api/empleados", json=await _alta(http, admin, cargoId=cargo["id"]), headers=admin)
    assert r.status_code == 404 and r.json()["data"] == {"campo": "cargoId"}


async def test_cualquier_usuario_lee_el_directorio_pero_no_escribe(http, tokens):
    tecnico = auth(tokens["tecnico"])
    assert (await http.get("/api/empleados", headers=tecnico)).status_code == 200
    assert (await http.get("/api/empleados/cargos", headers=tecnico)).status_code == 200
    r = await http.post("/api/empleados/cargo", json={"nombre": "Intruso"}, headers=tecnico)
    assert r.status_code == 403 and "ADMINISTRAR" in r.json()["message"]
