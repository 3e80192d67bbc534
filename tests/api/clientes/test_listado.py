"""GET /api/clientes: page shape and bounds, whitelisted sort, text search and filters."""

from __future__ import annotations

import uuid

import pytest

from tests.api.clientes.conftest import nuevo_ruc

CAMPOS_PAGINA = {
    "content",
    "totalElements",
    "totalPages",
    "number",
    "size",
    "numberOfElements",
    "first",
    "last",
}


async def test_forma_de_la_pagina_y_tamano_por_defecto(http, gestor, crear_cliente):
    await crear_cliente()

    r = await http.get("/api/clientes", headers=gestor)

    assert r.status_code == 200, r.text
    pagina = r.json()["data"]
    assert set(pagina) >= CAMPOS_PAGINA
    assert pagina["size"] == 20 and pagina["number"] == 0 and pagina["first"] is True
    assert len(pagina["content"]) == min(20, pagina["totalElements"])
    ids = [c["id"] for c in pagina["content"]]
    assert ids == sorted(ids)  # default order: id ascending, stable between pages


async def test_paginas_recorren_un_grupo(http, gestor, crear_cliente):
    marca = f"Grupo{uuid.uuid4().hex[:8]}"
    creados = [await crear_cliente(nombre=f"{marca} {i}") for i in range(5)]
    vistos = []

    for pagina in range(3):
        r = await http.get("/api/clientes", params={"q": marca, "size": 2, "page": pagina}, headers=gestor)
        data = r.json()["data"]
        assert (data["totalElements"], data["totalPages"], data["number"], data["size"]) == (5, 3, pagina, 2)
        assert (data["first"], data["last"]) == (pagina == 0, pagina == 2)
        vistos += data["content"]

    assert vistos == creados
    fuera = await http.get("/api/clientes", params={"q": marca, "size": 2, "page": 9}, headers=gestor)
    assert fuera.status_code == 200 and fuera.json()["data"]["content"] == []


@pytest.mark.parametrize(
    ("params", "campo"),
    [
        ({"size": 101}, "size"),
        ({"size": 0}, "size"),
        ({"page": -1}, "page"),
        ({"page": "uno"}, "page"),
        ({"sort": "password,asc"}, "sort"),
        ({"sort": "vigente"}, "sort"),
        ({"sort": "nombre,arriba"}, "sort"),
        ({"tipoCliente": "CORPORACION"}, "tipoCliente"),
        ({"tipoDocumento": "dni"}, "tipoDocumento"),
        ({"q": "x" * 101}, "q"),
    ],
)
async def test_parametros_invalidos_422(http, gestor, params, campo):
    r = await http.get("/api/clientes", params=params, headers=gestor)

    assert r.status_code == 422, r.text
    assert r.json()["data"]["campo"] == campo


async def test_tamano_maximo_100(http, gestor):
    r = await http.get("/api/clientes", params={"size": 100}, headers=gestor)
    assert r.status_code == 200 and r.json()["data"]["size"] == 100


@pytest.mark.parametrize("campo", ["id", "nombre", "codigoCliente", "numeroDocumento", "fechaCreacion"])
async def test_orden(http, gestor, crear_cliente, campo):
    marca = f"Orden{uuid.uuid4().hex[:8]}"
    for nombre in ("Carmen", "Abel", "Beto"):
        await crear_cliente(nombre=f"{marca} {nombre}")

    asc = await http.get("/api/clientes", params={"q": marca, "sort": f"{campo},asc"}, headers=gestor)
    desc = await http.get("/api/clientes", params={"q": marca, "sort": f"{campo},desc"}, headers=gestor)

    valores = [c[campo] for c in asc.json()["data"]["content"]]
    assert valores == sorted(valores) and len(valores) == 3
    assert [c[campo] for c in desc.json()["data"]["content"]] == valores[::-1]


async def test_busqueda_sin_distinguir_mayusculas(http, gestor, crear_cliente):
    marca = uuid.uuid4().hex[:10]
    por_nombre = await crear_cliente(nombre=f"Hostal Ñandú {marca}")
    por_codigo = await crear_cliente(codigoCliente=f"COD-{marca.upper()}")
    ruc = nuevo_ruc()
    por_documento = await crear_cliente(tipoDocumento="RUC", numeroDocumento=ruc, tipoCliente="EMPRESA")

    async def buscar(q: str, **extra) -> list[int]:
        r = await http.get("/api/clientes", params={"q": q, **extra}, headers=gestor)
        assert r.status_code == 200, r.text
        return [c["id"] for c in r.json()["data"]["content"]]

    assert await buscar(marca.upper()) == [por_nombre["id"], por_codigo["id"]]
    assert await buscar(f"ñandú {marca}") == [por_nombre["id"]]
    assert await buscar(f"cod-{marca}") == [por_codigo["id"]]
    assert await buscar(ruc[3:]) == [por_documento["id"]]
    assert await buscar(ruc, tipoCliente="EMPRESA", tipoDocumento="RUC") == [por_documento["id"]]
    assert await buscar(ruc, tipoDocumento="DNI") == []
    assert await buscar(marca, tipoCliente="EMPRESA") == []
    assert await buscar("   ", size=1) != []  # a blank q does not filter


async def test_comodines_se_buscan_literalmente(http, gestor, crear_cliente):
    marca = uuid.uuid4().hex[:10]
    con_porcentaje = await crear_cliente(nombre=f"Tienda 100% {marca}")
    await crear_cliente(nombre=f"Tienda 1000 {marca}")

    async def buscar(q: str) -> list[int]:
        r = await http.get("/api/clientes", params={"q": q}, headers=gestor)
        return [c["id"] for c in r.json()["data"]["content"]]

    assert await buscar(f"100% {marca}") == [con_porcentaje["id"]]
    # As wildcards, `10%` and `1_00` would match both names.
    assert await buscar(f"10% {marca}") == []
    assert await buscar(f"1_00 {marca}") == []
    con_barra = await crear_cliente(nombre=f"Tienda A\\B {marca}")
    assert await buscar(f"a\\b {marca}") == [con_barra["id"]]  # nor is a backslash an escape


async def test_filtro_por_tipo(http, gestor, crear_cliente):
    r = await http.get("/api/clientes", params={"tipoCliente": "EMPRESA", "size": 100}, headers=gestor)
    assert r.status_code == 200
    assert {c["tipoCliente"] for c in r.json()["data"]["content"]} <= {"EMPRESA"}
