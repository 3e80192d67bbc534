"""Who may read and write clientes: 401 without a token, GESTIONAR_CLIENTES for writes, and a technician
(VER_DETALLE) sees only the clients of the pendientes they registered or are assigned to."""

from __future__ import annotations

import uuid

import pytest

from ops.demo import personas_demo
from tests.api.clientes.conftest import cuerpo_persona
from tests.conftest import auth

ESCRITURAS = [("POST", ""), ("PUT", "/{id}"), ("PATCH", "/{id}"), ("DELETE", "/{id}")]
TODAS = [("GET", ""), ("GET", "/{id}"), *ESCRITURAS]


@pytest.mark.parametrize(("metodo", "ruta"), TODAS)
@pytest.mark.parametrize("token", [None, "no-es-un-token"])
async def test_sin_token_401(http, crear_cliente, metodo, ruta, token):
    creado = await crear_cliente()
    headers = auth(token) if token else {}

    r = await http.request(
        metodo, "/api/clientes" + ruta.format(id=creado["id"]), json=cuerpo_persona(), headers=headers
    )

    assert r.status_code == 401, r.text
    assert r.json()["code"] == 401 and r.json()["success"] is False


@pytest.mark.parametrize("rol", ["asesor", "contabilidad", "red", "tecnico"])
@pytest.mark.parametrize(("metodo", "ruta"), ESCRITURAS)
async def test_escribir_sin_gestionar_clientes_403(http, tokens, crear_cliente, rol, metodo, ruta):
    creado = await crear_cliente()

    r = await http.request(
        metodo,
        "/api/clientes" + ruta.format(id=creado["id"]),
        json=cuerpo_persona(),
        headers=auth(tokens[rol]),
    )

    assert r.status_code == 403, r.text
    assert r.json()["data"]["permisos"] == ["GESTIONAR_CLIENTES"]


@pytest.mark.parametrize("rol", ["administrador", "coordinadora", "atencion-cliente"])
async def test_quien_gestiona_clientes(http, tokens, rol):
    headers = auth(tokens[rol])
    r = await http.post("/api/clientes", json=cuerpo_persona(), headers=headers)
    assert r.status_code == 201, r.text
    url = f"/api/clientes/{r.json()['data']['id']}"
    assert (await http.put(url, json={"telefono": "950000000"}, headers=headers)).status_code == 200
    assert (await http.delete(url, headers=headers)).status_code == 200


@pytest.mark.parametrize("rol", ["asesor", "contabilidad", "red", "atencion-cliente", "administrador"])
async def test_leer_todos(http, tokens, crear_cliente, rol):
    creado = await crear_cliente()
    headers = auth(tokens[rol])

    uno = await http.get(f"/api/clientes/{creado['id']}", headers=headers)
    lista = await http.get("/api/clientes", params={"q": creado["codigoCliente"]}, headers=headers)

    assert uno.status_code == 200 and uno.json()["data"] == creado
    assert lista.json()["data"]["content"] == [creado]


async def _cuenta_con_rol(http, tokens, *permisos: str) -> dict[str, str]:
    admin = auth(tokens["administrador"])
    rol_id = f"prueba-{uuid.uuid4().hex[:8]}"
    r = await http.post(
        "/api/usuarios/roles",
        json={"id": rol_id, "nombre": f"Rol {rol_id}", "permisos": list(permisos)},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    dni = f"6{uuid.uuid4().int % 10**7:07d}"
    cuerpo = {"nombre": f"Usuario {dni}", "dni": dni, "email": f"u{dni}@simax.pe"}
    cuerpo |= {"password": "clave-de-prueba-123", "idRol": rol_id}
    r = await http.post("/api/usuarios", json=cuerpo, headers=admin)
    assert r.status_code == 201, r.text
    r = await http.post("/auth", json={"dni": dni, "password": "clave-de-prueba-123"})
    return auth(r.json()["data"]["token"])


async def test_sin_permiso_de_lectura_403(http, tokens, crear_cliente):
    creado = await crear_cliente()
    headers = await _cuenta_con_rol(http, tokens, "VER_HISTORIAL", "CONFIGURAR_VLAN")

    for url in ("/api/clientes", f"/api/clientes/{creado['id']}"):
        r = await http.get(url, headers=headers)
        assert r.status_code == 403, r.text
        assert "GESTIONAR_CLIENTES" in r.json()["data"]["permisos"]


async def test_registrar_pendiente_basta_para_leer_todos(http, tokens, crear_cliente):
    creado = await crear_cliente()
    headers = await _cuenta_con_rol(http, tokens, "REGISTRAR_PENDIENTE")
    r = await http.get(f"/api/clientes/{creado['id']}", headers=headers)
    assert r.status_code == 200 and r.json()["data"] == creado


async def test_sin_empleado_solo_ver_detalle_no_ve_ninguno(http, tokens, crear_cliente):
    creado = await crear_cliente()
    headers = await _cuenta_con_rol(http, tokens, "VER_DETALLE", "REGISTRAR_PAGO")

    lista = await http.get("/api/clientes", params={"q": creado["codigoCliente"]}, headers=headers)
    uno = await http.get(f"/api/clientes/{creado['id']}", headers=headers)

    assert lista.status_code == 200 and lista.json()["data"]["totalElements"] == 0
    assert uno.status_code == 403


async def test_tecnico_ve_solo_clientes_de_sus_pendientes(http, tokens, sessions, crear_cliente, gestor):
    suyo, ajeno = await crear_cliente(), await crear_cliente()
    tecnico = (await personas_demo(sessions)).tecnicos[0]
    alta = {"clienteId": suyo["id"], "tipo": "AVERIA", "lugar": "PUNO", "prioridad": "MEDIA"}
    alta["detalle"] = {"descripcionFalla": "sin señal"}
    r = await http.post("/api/pendientes", json=alta, headers=gestor)
    assert r.status_code == 201, r.text
    pendiente = r.json()["data"]["id"]
    tecnico1, tecnico2 = auth(tokens["tecnico"]), auth(tokens["tecnico2"])
    assert (await http.get(f"/api/clientes/{suyo['id']}", headers=tecnico1)).status_code == 403

    r = await http.post(
        f"/api/pendientes/{pendiente}/acciones/asignar",
        json={"tecnicoId": tecnico.empleado_id},
        headers=gestor,
    )
    assert r.status_code == 200, r.text

    assert (await http.get(f"/api/clientes/{suyo['id']}", headers=tecnico1)).json()["data"] == suyo
    ajeno_r = await http.get(f"/api/clientes/{ajeno['id']}", headers=tecnico1)
    assert ajeno_r.status_code == 403 and ajeno_r.json()["code"] == 403
    lista = (await http.get("/api/clientes", params={"size": 100}, headers=tecnico1)).json()["data"]
    assert suyo in lista["content"] and ajeno not in lista["content"]
    assert (await http.get(f"/api/clientes/{suyo['id']}", headers=tecnico2)).status_code == 403
    # A client with an open pendiente cannot be deleted out from under the technician.
    borrar = await http.delete(f"/api/clientes/{suyo['id']}", headers=gestor)
    assert borrar.status_code == 409 and borrar.json()["data"] == {"pendientesAbiertos": 1}
