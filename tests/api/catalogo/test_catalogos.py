"""/api/catalogos: catalogues and their products, partial PUTs, unique (catálogo, producto), soft deletes
that cascade from a catalogue to its rows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db import models as m
from tests.conftest import auth

FILAS = "/api/catalogos/productos"


async def _catalogo(http, admin, **extra) -> dict:
    cuerpo = {"nombre": "Plan Fibra Hogar", "descripcion": "Planes de fibra", "tipo": "INTERNET"} | extra
    r = await http.post("/api/catalogos", json=cuerpo, headers=admin)
    assert r.status_code == 201, r.text
    return r.json()["data"]


async def _fila(http, admin, catalogo_id: int, producto_id: int, cantidad: int = 2) -> dict:
    cuerpo = {"catalogoId": catalogo_id, "productoId": producto_id, "cantidad": cantidad}
    r = await http.post(FILAS, json=cuerpo, headers=admin)
    assert r.status_code == 201, r.text
    return r.json()["data"]


async def test_crear_obtener_y_listar(http, admin, tokens):
    cuerpo = {"nombre": "Kit CCTV 4 cámaras", "descripcion": "DVR + 4 cámaras", "tipo": "KIT"}
    r = await http.post("/api/catalogos", json=cuerpo, headers=admin)

    assert r.status_code == 201, r.text
    data = r.json()["data"]
    assert data == cuerpo | {"id": data["id"]}
    tecnico = auth(tokens["tecnico"])
    assert (await http.get(f"/api/catalogos/{data['id']}", headers=tecnico)).json()["data"] == data
    assert data in (await http.get("/api/catalogos", headers=tecnico)).json()["data"]


async def test_put_parcial(http, admin):
    creado = await _catalogo(http, admin)

    r = await http.put(
        f"/api/catalogos/{creado['id']}", json={"descripcion": None, "tipo": "SERVICIO"}, headers=admin
    )

    assert r.status_code == 200, r.text
    assert r.json()["data"] == creado | {"descripcion": None, "tipo": "SERVICIO"}


@pytest.mark.parametrize(
    ("cuerpo", "campo"),
    [({"nombre": None}, "nombre"), ({"nombre": ""}, "nombre"), ({"tipo": "PLANES"}, "tipo")],
)
async def test_catalogo_invalido_da_422(http, admin, cuerpo, campo):
    r = await http.post("/api/catalogos", json={"nombre": "X"} | cuerpo, headers=admin)
    assert r.status_code == 422
    assert r.json()["data"]["campo"] == campo
    creado = await _catalogo(http, admin)
    r = await http.put(f"/api/catalogos/{creado['id']}", json=cuerpo, headers=admin)
    assert r.status_code == 422
    assert r.json()["data"]["campo"] == campo


async def test_desconocido_da_404(http, admin):
    for metodo, ruta in [
        ("GET", "/api/catalogos/987654321"),
        ("PUT", "/api/catalogos/987654321"),
        ("DELETE", "/api/catalogos/987654321"),
        ("GET", "/api/catalogos/987654321/productos"),
        ("PUT", f"{FILAS}/987654321"),
        ("DELETE", f"{FILAS}/987654321"),
    ]:
        r = await http.request(metodo, ruta, json={}, headers=admin)
        assert r.status_code == 404, (metodo, ruta)


async def test_productos_del_catalogo(http, admin, producto):
    catalogo = await _catalogo(http, admin, nombre="Plan 200 Mbps")
    prod = await producto(nombre="ONT GPON")

    fila = await _fila(http, admin, catalogo["id"], prod["id"], cantidad=1)

    assert fila == {
        "id": fila["id"],
        "catalogoId": catalogo["id"],
        "catalogoNombre": "Plan 200 Mbps",
        "productoId": prod["id"],
        "productoNombre": "ONT GPON",
        "cantidad": 1,
    }
    lista = await http.get(f"/api/catalogos/{catalogo['id']}/productos", headers=admin)
    assert lista.json()["data"] == [fila]
    r = await http.put(f"{FILAS}/{fila['id']}", json={"cantidad": 3}, headers=admin)
    assert r.status_code == 200
    assert r.json()["data"] == fila | {"cantidad": 3}


async def test_producto_repetido_en_el_catalogo_da_409(http, admin, producto):
    catalogo = await _catalogo(http, admin)
    a, b = await producto(), await producto()
    await _fila(http, admin, catalogo["id"], a["id"])
    fila_b = await _fila(http, admin, catalogo["id"], b["id"])

    r = await http.post(FILAS, json={"catalogoId": catalogo["id"], "productoId": a["id"]}, headers=admin)
    assert r.status_code == 409
    assert r.json()["data"]["campo"] == "productoId"
    r = await http.put(f"{FILAS}/{fila_b['id']}", json={"productoId": a["id"]}, headers=admin)
    assert r.status_code == 409
    assert r.json()["data"]["campo"] == "productoId"


async def test_quitar_y_volver_a_agregar(http, admin, producto):
    catalogo = await _catalogo(http, admin)
    prod = await producto()
    fila = await _fila(http, admin, catalogo["id"], prod["id"], cantidad=2)

    assert (await http.delete(f"{FILAS}/{fila['id']}", headers=admin)).status_code == 200
    assert (await http.get(f"/api/catalogos/{catalogo['id']}/productos", headers=admin)).json()["data"] == []
    assert (await http.put(f"{FILAS}/{fila['id']}", json={"cantidad": 1}, headers=admin)).status_code == 404

    otra_vez = await _fila(http, admin, catalogo["id"], prod["id"], cantidad=5)
    assert otra_vez == fila | {"cantidad": 5}


async def test_producto_eliminado_desaparece_del_catalogo(http, admin, producto):
    catalogo = await _catalogo(http, admin)
    prod = await producto()
    await _fila(http, admin, catalogo["id"], prod["id"])

    await http.delete(f"/api/productos/{prod['id']}", headers=admin)

    assert (await http.get(f"/api/catalogos/{catalogo['id']}/productos", headers=admin)).json()["data"] == []


async def test_eliminar_catalogo_elimina_sus_filas(http, admin, producto, sessions):
    catalogo = await _catalogo(http, admin)
    filas = [await _fila(http, admin, catalogo["id"], (await producto())["id"]) for _ in range(2)]

    r = await http.delete(f"/api/catalogos/{catalogo['id']}", headers=admin)

    assert r.status_code == 200
    assert (await http.get(f"/api/catalogos/{catalogo['id']}", headers=admin)).status_code == 404
    assert (await http.get(f"/api/catalogos/{catalogo['id']}/productos", headers=admin)).status_code == 404
    assert catalogo not in (await http.get("/api/catalogos", headers=admin)).json()["data"]
    async with sessions() as s:
        vigentes = await s.scalars(
            select(m.CatalogoProducto.vigente).where(m.CatalogoProducto.catalogo_id == catalogo["id"])
        )
        assert list(vigentes) == [False, False]
    for fila in filas:
        assert (
            await http.put(f"{FILAS}/{fila['id']}", json={"cantidad": 1}, headers=admin)
        ).status_code == 404


@pytest.mark.parametrize(
    ("cuerpo", "campo", "codigo"),
    [
        ({"catalogoId": 987654321}, "catalogoId", 404),
        ({"productoId": 987654321}, "productoId", 404),
        ({"catalogoId": None}, "catalogoId", 422),
        ({"productoId": "x"}, "productoId", 422),
        ({"cantidad": 0}, "cantidad", 422),
        ({"cantidad": 10**12}, "cantidad", 422),
    ],
)
async def test_fila_invalida(http, admin, producto, cuerpo, campo, codigo):
    catalogo = await _catalogo(http, admin)
    prod = await producto()
    base = {"catalogoId": catalogo["id"], "productoId": prod["id"], "cantidad": 1}
    r = await http.post(FILAS, json=base | cuerpo, headers=admin)
    assert r.status_code == codigo, r.text
    assert r.json()["data"]["campo"] == campo
    fila = await _fila(http, admin, catalogo["id"], prod["id"])
    r = await http.put(f"{FILAS}/{fila['id']}", json=cuerpo, headers=admin)
    assert r.status_code == codigo, r.text
    assert r.json()["data"]["campo"] == campo


async def test_mover_fila_a_otro_catalogo(http, admin, producto):
    origen, destino = await _catalogo(http, admin), await _catalogo(http, admin, nombre="Destino")
    fila = await _fila(http, admin, origen["id"], (await producto())["id"])
    r = await http.put(f"{FILAS}/{fila['id']}", json={"catalogoId": destino["id"]}, headers=admin)
    assert r.json()["data"] == fila | {"catalogoId": destino["id"], "catalogoNombre": "Destino"}


@pytest.mark.parametrize("rol", ["coordinadora", "tecnico"])
async def test_escribir_exige_administrar(http, admin, tokens, producto, rol):
    catalogo = await _catalogo(http, admin)
    fila = await _fila(http, admin, catalogo["id"], (await producto())["id"])
    cabeceras = auth(tokens[rol])
    for metodo, ruta, cuerpo in [
        ("POST", "/api/catalogos", {"nombre": "x"}),
        ("PUT", f"/api/catalogos/{catalogo['id']}", {"nombre": "x"}),
        ("DELETE", f"/api/catalogos/{catalogo['id']}", None),
        ("POST", FILAS, {"catalogoId": catalogo["id"], "productoId": fila["productoId"]}),
        ("PUT", f"{FILAS}/{fila['id']}", {"cantidad": 9}),
        ("DELETE", f"{FILAS}/{fila['id']}", None),
    ]:
        r = await http.request(metodo, ruta, json=cuerpo, headers=cabeceras)
        assert r.status_code == 403, (metodo, ruta)
    # Reads are open to any authenticated user.
    assert (await http.get(f"/api/catalogos/{catalogo['id']}/productos", headers=cabeceras)).json()[
        "data"
    ] == [fila]


async def test_caracter_nul_da_422(http, admin):
    r = await http.post("/api/catalogos", json={"nombre": "Plan\x00"}, headers=admin)
    assert r.status_code == 422
    assert r.json()["data"]["campo"] == "nombre"
