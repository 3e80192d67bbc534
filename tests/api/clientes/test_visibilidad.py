"""Who reads which client, over HTTP: the one visibility rule (a client of a pendiente the caller
registered or works is theirs; VER_TODOS, GESTIONAR_CLIENTES and REGISTRAR_PENDIENTE see all), with the
list and the single read agreeing."""

from __future__ import annotations

from tests.api.clientes.conftest import cuerpo_persona

# Every permission that lets someone read some client (the README's clientes section).
LECTURA = {"VER_TODOS", "GESTIONAR_CLIENTES", "REGISTRAR_PENDIENTE", "VER_DETALLE", "REGISTRAR_PAGO"}


async def _cliente(http, h) -> dict:
    r = await http.post("/api/clientes", json=cuerpo_persona(), headers=h["coordinadora"])
    assert r.status_code == 201, r.text
    return r.json()["data"]


async def test_quien_registro_el_pendiente_sigue_viendo_su_cliente_con_solo_ver_detalle(http, h, cuenta):
    suyo, ajeno = await _cliente(http, h), await _cliente(http, h)
    yo = await cuenta("REGISTRAR_PENDIENTE", "VER_DETALLE")
    alta = {"clienteId": suyo["id"], "tipo": "AVERIA", "lugar": "PUNO", "prioridad": "MEDIA"}
    alta["detalle"] = {"descripcionFalla": "sin señal"}
    r = await http.post("/api/pendientes", json=alta, headers=yo)
    assert r.status_code == 201, r.text
    # Now without REGISTRAR_PENDIENTE: only the link of having registered it is left.
    rol = (await http.get("/api/usuarios/usuario", headers=yo)).json()["data"]["rol"]["id"]
    r = await http.put(
        f"/api/usuarios/roles/{rol}", json={"permisos": ["VER_DETALLE"]}, headers=h["administrador"]
    )
    assert r.status_code == 200, r.text

    uno = await http.get(f"/api/clientes/{suyo['id']}", headers=yo)
    otro = await http.get(f"/api/clientes/{ajeno['id']}", headers=yo)
    lista = await http.get("/api/clientes", params={"size": 100, "sort": "id,desc"}, headers=yo)

    assert uno.status_code == 200 and uno.json()["data"] == suyo
    assert otro.status_code == 403, otro.text
    assert set(otro.json()["data"]["permisos"]) == LECTURA
    ids = [c["id"] for c in lista.json()["data"]["content"]]
    assert suyo["id"] in ids and ajeno["id"] not in ids


async def test_sin_vinculo_ni_permiso_total_no_ve_clientes(http, h, cuenta):
    cliente = await _cliente(http, h)
    cobrador = await cuenta("REGISTRAR_PAGO")

    uno = await http.get(f"/api/clientes/{cliente['id']}", headers=cobrador)
    lista = await http.get("/api/clientes", params={"q": cliente["codigoCliente"]}, headers=cobrador)

    assert uno.status_code == 403 and uno.json()["code"] == 403
    assert lista.status_code == 200 and lista.json()["data"]["totalElements"] == 0
