"""/api/productos: paginated list with search, get, create, partial PUT, soft delete, unique barcode."""

from __future__ import annotations

import pytest

from tests.api.catalogo.conftest import codigo
from tests.conftest import auth

CAMPOS = {"id", "codigoBarra", "nombre", "descripcion", "costoUnitario"}


async def test_crear_obtener_y_listar(http, admin, tokens):
    cuerpo = {
        "codigoBarra": codigo(),
        "nombre": "Cámara domo 2MP",
        "descripcion": "Interior",
        "costoUnitario": 89.9,
    }
    r = await http.post("/api/productos", json=cuerpo, headers=admin)

    assert r.status_code == 201, r.text
    assert r.json()["code"] == 201
    data = r.json()["data"]
    assert set(data) == CAMPOS
    # Money leaves as a JSON number, as the original's BigDecimal did.
    assert data == cuerpo | {"id": data["id"]}
    # Any authenticated user reads the catalogue.
    leido = await http.get(f"/api/productos/{data['id']}", headers=auth(tokens["tecnico"]))
    assert leido.status_code == 200
    assert leido.json()["data"] == data
    lista = await http.get("/api/productos", params={"q": cuerpo["codigoBarra"]}, headers=admin)
    assert lista.status_code == 200
    pagina = lista.json()["data"]
    assert pagina["content"] == [data]
    assert {"content", "totalElements", "totalPages", "number", "size", "first", "last"} <= set(pagina)


async def test_lista_paginada_y_ordenada(http, admin, producto):
    marca = codigo()
    for nombre in ("Zócalo", "Alfa", "Medio"):
        await producto(nombre=f"{marca} {nombre}", codigoBarra=codigo())

    r = await http.get("/api/productos", params={"q": marca, "size": 2, "sort": "nombre,desc"}, headers=admin)

    pagina = r.json()["data"]
    assert [p["nombre"] for p in pagina["content"]] == [f"{marca} Zócalo", f"{marca} Medio"]
    assert (pagina["totalElements"], pagina["totalPages"], pagina["first"], pagina["last"]) == (
        3,
        2,
        True,
        False,
    )


async def test_busqueda_toma_comodines_literalmente(http, admin, producto):
    creado = await producto(nombre=f"Descuento 100% {codigo()}")
    r = await http.get("/api/productos", params={"q": "100%", "size": 100}, headers=admin)
    nombres = [p["nombre"] for p in r.json()["data"]["content"]]
    assert creado["nombre"] in nombres
    assert all("100%" in n for n in nombres)


@pytest.mark.parametrize(
    ("params", "campo"),
    [({"sort": "precio,asc"}, "sort"), ({"size": 101}, "size"), ({"page": -1}, "page")],
)
async def test_lista_con_parametro_invalido_da_422(http, admin, params, campo):
    r = await http.get("/api/productos", params=params, headers=admin)
    assert r.status_code == 422
    assert r.json()["data"]["campo"] == campo


@pytest.mark.parametrize(
    ("cambio", "campo"),
    [
        ({"costoUnitario": None}, "costoUnitario"),
        ({"costoUnitario": "-1.00"}, "costoUnitario"),
        ({"costoUnitario": "1.234"}, "costoUnitario"),
        ({"costoUnitario": "gratis"}, "costoUnitario"),
        ({"nombre": "   "}, "nombre"),
        ({"codigoBarra": "x" * 101}, "codigoBarra"),
    ],
)
async def test_crear_invalido_da_422_nombrando_el_campo(http, admin, cambio, campo):
    cuerpo = {"nombre": "Router", "costoUnitario": "85.50"} | cambio
    cuerpo = {k: v for k, v in cuerpo.items() if not (k == "costoUnitario" and v is None)}
    r = await http.post("/api/productos", json=cuerpo, headers=admin)
    assert r.status_code == 422, r.text
    assert r.json()["data"]["campo"] == campo


async def test_codigo_de_barra_duplicado_da_409(http, admin, producto):
    primero = await producto()
    segundo = await producto()

    r = await http.post(
        "/api/productos",
        json={"codigoBarra": primero["codigoBarra"], "nombre": "Otro", "costoUnitario": 1},
        headers=admin,
    )
    assert r.status_code == 409
    assert r.json()["data"]["campo"] == "codigoBarra"

    r = await http.put(
        f"/api/productos/{segundo['id']}", json={"codigoBarra": primero["codigoBarra"]}, headers=admin
    )
    assert r.status_code == 409
    assert r.json()["data"]["campo"] == "codigoBarra"


async def test_sin_codigo_de_barra_no_chocan(http, admin, producto):
    a = await producto(codigoBarra=None)
    b = await producto(codigoBarra="  ")
    assert a["codigoBarra"] is None and b["codigoBarra"] is None


async def test_put_parcial_y_null_que_borra(http, admin, producto):
    creado = await producto()

    r = await http.put(
        f"/api/productos/{creado['id']}",
        json={"nombre": "Cable UTP Cat6A", "descripcion": None},
        headers=admin,
    )

    assert r.status_code == 200, r.text
    assert r.json()["data"] == creado | {"nombre": "Cable UTP Cat6A", "descripcion": None}


@pytest.mark.parametrize(
    ("cuerpo", "campo"),
    [
        ({"nombre": None}, "nombre"),
        ({"costoUnitario": None}, "costoUnitario"),
        ({"costoUnitario": -2}, "costoUnitario"),
    ],
)
async def test_put_invalido_da_422(http, admin, producto, cuerpo, campo):
    creado = await producto()
    r = await http.put(f"/api/productos/{creado['id']}", json=cuerpo, headers=admin)
    assert r.status_code == 422
    assert r.json()["data"]["campo"] == campo


async def test_eliminar_es_logico(http, admin, producto):
    creado = await producto()

    r = await http.delete(f"/api/productos/{creado['id']}", headers=admin)

    assert r.status_code == 200
    assert r.json()["data"] is None
    assert (await http.get(f"/api/productos/{creado['id']}", headers=admin)).status_code == 404
    lista = await http.get("/api/productos", params={"q": creado["codigoBarra"]}, headers=admin)
    assert lista.json()["data"]["content"] == []
    for metodo in ("PUT", "DELETE"):
        r = await http.request(metodo, f"/api/productos/{creado['id']}", json={"nombre": "x"}, headers=admin)
        assert r.status_code == 404, metodo


async def test_id_desconocido_da_404_y_malformado_422(http, admin):
    r = await http.get("/api/productos/987654321", headers=admin)
    assert r.status_code == 404
    assert r.json()["success"] is False
    for malo in ("0", "abc", str(2**63)):
        r = await http.get(f"/api/productos/{malo}", headers=admin)
        assert r.status_code == 422, malo
        assert r.json()["data"]["campo"] == "id"


@pytest.mark.parametrize("rol", ["coordinadora", "tecnico", "contabilidad"])
async def test_escribir_productos_exige_administrar(http, tokens, producto, rol):
    creado = await producto()
    cabeceras = auth(tokens[rol])
    r = await http.post("/api/productos", json={"nombre": "x", "costoUnitario": 1}, headers=cabeceras)
    assert r.status_code == 403
    assert (await http.put(f"/api/productos/{creado['id']}", json={}, headers=cabeceras)).status_code == 403
    assert (await http.delete(f"/api/productos/{creado['id']}", headers=cabeceras)).status_code == 403


async def test_leer_sin_token_da_401(http):
    assert (await http.get("/api/productos")).status_code == 401
    assert (await http.get("/api/productos/1")).status_code == 401


async def test_caracter_nul_da_422_nombrando_el_campo(http, admin):
    """Postgres text cannot hold NUL: refused at the edge, never a database error."""
    r = await http.post("/api/productos", json={"nombre": "Ro\x00uter", "costoUnitario": 1}, headers=admin)
    assert r.status_code == 422
    assert r.json()["data"]["campo"] == "nombre"
    r = await http.get("/api/productos", params={"q": "a\x00b"}, headers=admin)
    assert r.status_code == 422
    assert r.json()["data"]["campo"] == "q"
