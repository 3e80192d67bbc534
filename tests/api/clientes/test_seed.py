"""Every request example of the seed document about clientes (seeds/002) works as written, ids aside."""

from __future__ import annotations

SEED_POST = {
    "nombre": "Empresa Telecom SAC",
    "tipoCliente": "EMPRESA",
    "tipoDocumento": "RUC",
    "numeroDocumento": "20512345678",
    "codigoCliente": "CLI042",
    "direccion": "Av. Principal 123, Lima",
    "telefono": "999888777",
    "email": "contacto@telecomsac.pe",
    "contactoRepresentante": "Carlos Mendoza",
}


async def test_ejemplos_del_documento_semilla(http, gestor):
    # GET /api/clientes?page=0&size=20
    lista = await http.get("/api/clientes?page=0&size=20", headers=gestor)
    assert lista.status_code == 200, lista.text
    pagina = lista.json()["data"]
    assert {"content", "totalElements", "totalPages", "number", "size"} <= set(pagina)
    assert (pagina["number"], pagina["size"]) == (0, 20)

    # POST /api/clientes with the seed's body, exactly
    creado = await http.post("/api/clientes", json=SEED_POST, headers=gestor)
    assert creado.status_code == 201, creado.text
    cliente = creado.json()["data"]
    assert {k: cliente[k] for k in SEED_POST} == SEED_POST
    url = f"/api/clientes/{cliente['id']}"

    # GET /api/clientes/{id}
    assert (await http.get(url, headers=gestor)).json()["data"] == cliente

    # PUT /api/clientes/{id} with only telefono and email: "only provided fields are updated"
    editado = await http.put(
        url, json={"telefono": "987654321", "email": "nuevo@telecomsac.pe"}, headers=gestor
    )
    assert editado.status_code == 200, editado.text
    data = editado.json()["data"]
    esperado = SEED_POST | {"telefono": "987654321", "email": "nuevo@telecomsac.pe"}
    assert {k: data[k] for k in SEED_POST} == esperado

    # DELETE /api/clientes/{id}: soft; no longer listed nor reachable through the API
    borrado = await http.delete(url, headers=gestor)
    assert borrado.status_code == 200 and borrado.json()["data"] is None
    assert (await http.get(url, headers=gestor)).status_code == 404
    lista = await http.get("/api/clientes", params={"q": "CLI042"}, headers=gestor)
    assert all(c["id"] != cliente["id"] for c in lista.json()["data"]["content"])
