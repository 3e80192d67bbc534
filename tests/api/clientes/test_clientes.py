"""/api/clientes: create, read, partial update, soft delete; document rules, uniqueness, generated codes."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from db import models as m
from tests.api.clientes.conftest import cuerpo_persona, nuevo_codigo, nuevo_dni, nuevo_ruc

CAMPOS = {
    "id",
    "tipoCliente",
    "nombre",
    "tipoDocumento",
    "numeroDocumento",
    "codigoCliente",
    "direccion",
    "telefono",
    "email",
    "contactoRepresentante",
    "fechaCreacion",
    "fechaModificacion",
}


async def test_crear_obtener_y_listar(http, gestor):
    cuerpo = cuerpo_persona()
    r = await http.post("/api/clientes", json=cuerpo, headers=gestor)

    assert r.status_code == 201, r.text
    assert r.json()["code"] == 201 and r.json()["success"] is True
    data = r.json()["data"]
    assert set(data) == CAMPOS
    assert {k: data[k] for k in cuerpo} == cuerpo
    assert data["fechaCreacion"].endswith("-05:00")
    obtenido = await http.get(f"/api/clientes/{data['id']}", headers=gestor)
    assert obtenido.status_code == 200 and obtenido.json()["data"] == data
    lista = await http.get("/api/clientes", params={"q": cuerpo["codigoCliente"]}, headers=gestor)
    assert lista.json()["data"]["content"] == [data]


async def test_solo_obligatorios_y_vacios_como_null(http, gestor):
    cuerpo = {"tipoCliente": "OTRO", "nombre": "  Comunidad Ccota  ", "tipoDocumento": "OTRO"}
    cuerpo |= {"numeroDocumento": "PART-77", "direccion": "", "email": "  "}
    r = await http.post("/api/clientes", json=cuerpo, headers=gestor)

    assert r.status_code == 201, r.text
    data = r.json()["data"]
    assert data["nombre"] == "Comunidad Ccota"
    assert data["direccion"] is None and data["email"] is None and data["telefono"] is None


# --- codigoCliente -----------------------------------------------------------------------------------


@pytest.mark.parametrize("cuerpo", [{}, {"codigoCliente": None}, {"codigoCliente": ""}])
async def test_codigo_generado_desde_el_id(http, gestor, cuerpo):
    base = cuerpo_persona()
    del base["codigoCliente"]
    r = await http.post("/api/clientes", json=base | cuerpo, headers=gestor)

    assert r.status_code == 201, r.text
    data = r.json()["data"]
    assert data["codigoCliente"] == f"CLI{data['id']:06d}"


async def test_codigo_generado_salta_uno_tomado_a_mano(http, gestor, sessions):
    async with sessions() as s:
        n = await s.scalar(select(func.nextval(func.pg_get_serial_sequence("clientes", "id"))))
        await s.commit()
    # This create takes id n+1 and, by hand, the code the next generated client would get.
    tomado = await http.post(
        "/api/clientes", json=cuerpo_persona(codigoCliente=f"CLI{n + 2:06d}"), headers=gestor
    )
    assert tomado.status_code == 201, tomado.text
    base = cuerpo_persona()
    del base["codigoCliente"]

    r = await http.post("/api/clientes", json=base, headers=gestor)

    assert r.status_code == 201, r.text
    data = r.json()["data"]
    # n+2 was taken by hand, so the create retried with the next number of the sequence.
    assert data["id"] == n + 3 and data["codigoCliente"] == f"CLI{n + 3:06d}"


async def test_codigos_generados_en_paralelo_son_distintos(http, gestor):
    def sin_codigo() -> dict:
        cuerpo = cuerpo_persona()
        del cuerpo["codigoCliente"]
        return cuerpo

    respuestas = await asyncio.gather(
        *(http.post("/api/clientes", json=sin_codigo(), headers=gestor) for _ in range(10))
    )

    assert [r.status_code for r in respuestas] == [201] * 10
    codigos = {r.json()["data"]["codigoCliente"] for r in respuestas}
    assert len(codigos) == 10


async def test_codigo_duplicado_409(http, gestor, crear_cliente):
    existente = await crear_cliente()

    r = await http.post(
        "/api/clientes", json=cuerpo_persona(codigoCliente=existente["codigoCliente"]), headers=gestor
    )

    assert r.status_code == 409, r.text
    assert r.json()["code"] == 409 and r.json()["data"]["campo"] == "codigoCliente"


async def test_codigo_de_un_eliminado_sigue_ocupado(http, gestor, crear_cliente):
    eliminado = await crear_cliente()
    await http.delete(f"/api/clientes/{eliminado['id']}", headers=gestor)

    r = await http.post(
        "/api/clientes", json=cuerpo_persona(codigoCliente=eliminado["codigoCliente"]), headers=gestor
    )

    assert r.status_code == 409 and r.json()["data"]["campo"] == "codigoCliente"


# --- Documents ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tipo", "numero", "guardado"),
    [
        ("DNI", "", None),
        ("RUC", "10{}", None),
        ("RUC", "15{}", None),
        ("RUC", "17{}", None),
        ("RUC", "20{}", None),
        ("CE", "ab12345", "AB12345"),
        ("CE", "X", "X"),
        ("CE", "A1B2C3D4E5F6", "A1B2C3D4E5F6"),
        ("OTRO", "PAS 123-ñ/45", "PAS 123-ñ/45"),
        ("OTRO", "x" * 20, "x" * 20),
    ],
)
async def test_documento_valido(http, gestor, tipo, numero, guardado):
    # DNI and RUC numbers are fresh per case; the CE/OTRO ones appear only here (one database per session).
    if tipo == "RUC":
        numero = nuevo_ruc(numero[:2])
    elif tipo == "DNI":
        numero = guardado = nuevo_dni()
    cuerpo = cuerpo_persona(tipoDocumento=tipo, numeroDocumento=numero)

    r = await http.post("/api/clientes", json=cuerpo, headers=gestor)

    assert r.status_code == 201, r.text
    assert r.json()["data"]["numeroDocumento"] == (guardado or numero)


@pytest.mark.parametrize(
    ("tipo", "numero"),
    [
        ("DNI", "1234567"),
        ("DNI", "123456789"),
        ("DNI", "1234567a"),
        ("DNI", "１２３４５６７８"),  # full-width digits are not digits here
        ("RUC", "30123456789"),
        ("RUC", "2012345678"),
        ("RUC", "201234567890"),
        ("RUC", "20-12345678"),
        ("CE", "CE-12345"),
        ("CE", "A1B2C3D4E5F6G"),
        ("OTRO", "x" * 21),
        ("DNI", None),
        ("DNI", ""),
    ],
)
async def test_documento_invalido_422(http, gestor, tipo, numero):
    r = await http.post(
        "/api/clientes", json=cuerpo_persona(tipoDocumento=tipo, numeroDocumento=numero), headers=gestor
    )

    assert r.status_code == 422, r.text
    assert r.json()["data"]["campo"] == "numeroDocumento"


async def test_documento_ausente_422(http, gestor):
    cuerpo = cuerpo_persona()
    del cuerpo["numeroDocumento"]
    r = await http.post("/api/clientes", json=cuerpo, headers=gestor)
    assert r.status_code == 422 and r.json()["data"]["campo"] == "numeroDocumento"


@pytest.mark.parametrize(
    ("cambio", "campo"),
    [
        ({"nombre": None}, "nombre"),
        ({"nombre": "   "}, "nombre"),
        ({"nombre": "n" * 151}, "nombre"),
        ({"tipoCliente": "CORPORACION"}, "tipoCliente"),
        ({"tipoCliente": None}, "tipoCliente"),
        ({"tipoDocumento": "PASAPORTE"}, "tipoDocumento"),
        ({"email": "sin-arroba"}, "email"),
        ({"email": "a" * 96 + "@x.pe"}, "email"),
        ({"telefono": "9" * 21}, "telefono"),
        ({"direccion": "d" * 201}, "direccion"),
        ({"contactoRepresentante": "c" * 151}, "contactoRepresentante"),
        ({"codigoCliente": "CLI 042"}, "codigoCliente"),
        ({"codigoCliente": "C" * 51}, "codigoCliente"),
        ({"nombre": 12}, "nombre"),
    ],
)
async def test_datos_invalidos_422(http, gestor, cambio, campo):
    r = await http.post("/api/clientes", json=cuerpo_persona(**cambio), headers=gestor)

    assert r.status_code == 422, r.text
    assert r.json()["code"] == 422 and r.json()["data"]["campo"] == campo


@pytest.mark.parametrize("cuerpo", ["no es json", "[]", "null"])
async def test_cuerpo_malformado_422(http, gestor, cuerpo):
    r = await http.post(
        "/api/clientes", content=cuerpo, headers=gestor | {"content-type": "application/json"}
    )
    assert r.status_code == 422, r.text


async def test_documento_duplicado_entre_activos_409(http, gestor, crear_cliente):
    existente = await crear_cliente()

    r = await http.post(
        "/api/clientes", json=cuerpo_persona(numeroDocumento=existente["numeroDocumento"]), headers=gestor
    )

    assert r.status_code == 409, r.text
    assert r.json()["data"] == {"campo": "numeroDocumento", "clienteId": existente["id"]}


async def test_ce_duplicado_sin_distinguir_mayusculas(http, gestor):
    numero = f"ZQ{nuevo_dni()}"
    primero = await http.post(
        "/api/clientes", json=cuerpo_persona(tipoDocumento="CE", numeroDocumento=numero), headers=gestor
    )
    assert primero.status_code == 201, primero.text

    r = await http.post(
        "/api/clientes",
        json=cuerpo_persona(tipoDocumento="CE", numeroDocumento=numero.lower()),
        headers=gestor,
    )

    assert r.status_code == 409 and r.json()["data"]["campo"] == "numeroDocumento"


async def test_mismo_numero_otro_tipo_se_admite(http, gestor, crear_cliente):
    existente = await crear_cliente()
    cuerpo = cuerpo_persona(tipoDocumento="OTRO", numeroDocumento=existente["numeroDocumento"])
    r = await http.post("/api/clientes", json=cuerpo, headers=gestor)
    assert r.status_code == 201, r.text


async def test_documento_de_un_eliminado_queda_libre(http, gestor, crear_cliente):
    eliminado = await crear_cliente()
    assert (await http.delete(f"/api/clientes/{eliminado['id']}", headers=gestor)).status_code == 200

    r = await http.post(
        "/api/clientes", json=cuerpo_persona(numeroDocumento=eliminado["numeroDocumento"]), headers=gestor
    )

    assert r.status_code == 201, r.text


async def test_documento_duplicado_en_paralelo_gana_uno(http, gestor):
    dni = nuevo_dni()
    respuestas = await asyncio.gather(
        *(
            http.post("/api/clientes", json=cuerpo_persona(numeroDocumento=dni), headers=gestor)
            for _ in range(6)
        )
    )

    codigos = sorted(r.status_code for r in respuestas)
    assert codigos == [201] + [409] * 5, [r.text for r in respuestas]
    assert all(r.json()["data"]["campo"] == "numeroDocumento" for r in respuestas if r.status_code == 409)


async def test_codigo_duplicado_en_paralelo_gana_uno(http, gestor):
    codigo = nuevo_codigo()
    respuestas = await asyncio.gather(
        *(
            http.post("/api/clientes", json=cuerpo_persona(codigoCliente=codigo), headers=gestor)
            for _ in range(6)
        )
    )

    assert sorted(r.status_code for r in respuestas) == [201] + [409] * 5
    assert all(r.json()["data"]["campo"] == "codigoCliente" for r in respuestas if r.status_code == 409)


# --- Partial PUT / PATCH -----------------------------------------------------------------------------


@pytest.mark.parametrize("metodo", ["PUT", "PATCH"])
async def test_cambio_parcial_conserva_lo_ausente(http, gestor, crear_cliente, metodo):
    creado = await crear_cliente(contactoRepresentante="Rosa Apaza")

    r = await http.request(
        metodo, f"/api/clientes/{creado['id']}", json={"telefono": "987654321"}, headers=gestor
    )

    assert r.status_code == 200, r.text
    data = r.json()["data"]
    # The original's full-overwrite PUT would have nulled direccion, email, contactoRepresentante...
    assert data == creado | {"telefono": "987654321", "fechaModificacion": data["fechaModificacion"]}
    assert data["fechaModificacion"] is not None
    assert (await http.get(f"/api/clientes/{creado['id']}", headers=gestor)).json()["data"] == data


async def test_null_explicito_borra(http, gestor, crear_cliente):
    creado = await crear_cliente(contactoRepresentante="Rosa Apaza")

    r = await http.put(
        f"/api/clientes/{creado['id']}",
        json={"direccion": None, "email": None, "contactoRepresentante": ""},
        headers=gestor,
    )

    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["direccion"] is None and data["email"] is None and data["contactoRepresentante"] is None
    assert data["telefono"] == creado["telefono"] and data["nombre"] == creado["nombre"]


@pytest.mark.parametrize(
    "campo", ["nombre", "tipoCliente", "tipoDocumento", "numeroDocumento", "codigoCliente"]
)
async def test_null_en_obligatorio_422(http, gestor, crear_cliente, campo):
    creado = await crear_cliente()

    r = await http.put(f"/api/clientes/{creado['id']}", json={campo: None}, headers=gestor)

    assert r.status_code == 422, r.text
    assert r.json()["data"]["campo"] == campo
    assert (await http.get(f"/api/clientes/{creado['id']}", headers=gestor)).json()["data"] == creado


async def test_cambio_de_tipo_valida_el_numero_resultante(http, gestor, crear_cliente):
    creado = await crear_cliente()  # DNI
    url = f"/api/clientes/{creado['id']}"

    solo_tipo = await http.put(url, json={"tipoDocumento": "RUC"}, headers=gestor)
    assert solo_tipo.status_code == 422 and solo_tipo.json()["data"]["campo"] == "numeroDocumento"
    solo_numero = await http.put(url, json={"numeroDocumento": nuevo_ruc()}, headers=gestor)
    assert solo_numero.status_code == 422 and solo_numero.json()["data"]["campo"] == "numeroDocumento"

    ruc = nuevo_ruc("10")
    ambos = await http.put(url, json={"tipoDocumento": "RUC", "numeroDocumento": ruc}, headers=gestor)
    assert ambos.status_code == 200, ambos.text
    assert ambos.json()["data"]["tipoDocumento"] == "RUC" and ambos.json()["data"]["numeroDocumento"] == ruc
    # To OTRO the current number is still valid: sending only the type is enough.
    otro = await http.put(url, json={"tipoDocumento": "OTRO"}, headers=gestor)
    assert otro.status_code == 200 and otro.json()["data"]["numeroDocumento"] == ruc


async def test_cambio_a_duplicado_409(http, gestor, crear_cliente):
    a, b = await crear_cliente(), await crear_cliente()
    url = f"/api/clientes/{b['id']}"

    codigo = await http.put(url, json={"codigoCliente": a["codigoCliente"]}, headers=gestor)
    documento = await http.patch(url, json={"numeroDocumento": a["numeroDocumento"]}, headers=gestor)

    assert codigo.status_code == 409 and codigo.json()["data"]["campo"] == "codigoCliente"
    assert documento.status_code == 409
    assert documento.json()["data"] == {"campo": "numeroDocumento", "clienteId": a["id"]}
    assert (await http.get(url, headers=gestor)).json()["data"] == b


async def test_cambio_invalido_422(http, gestor, crear_cliente):
    creado = await crear_cliente()
    r = await http.put(f"/api/clientes/{creado['id']}", json={"email": "no-es-email"}, headers=gestor)
    assert r.status_code == 422 and r.json()["data"]["campo"] == "email"


async def test_cambio_sin_campos_no_cambia_nada(http, gestor, crear_cliente):
    creado = await crear_cliente()
    r = await http.put(f"/api/clientes/{creado['id']}", json={}, headers=gestor)
    assert r.status_code == 200 and r.json()["data"] == creado


# --- Soft delete -------------------------------------------------------------------------------------


async def test_eliminado_es_404_y_no_se_lista(http, gestor, crear_cliente, sessions):
    creado = await crear_cliente()
    url = f"/api/clientes/{creado['id']}"

    r = await http.delete(url, headers=gestor)

    assert r.status_code == 200 and r.json()["data"] is None
    for metodo, cuerpo in [("GET", None), ("PUT", {"telefono": "1"}), ("PATCH", {}), ("DELETE", None)]:
        respuesta = await http.request(metodo, url, json=cuerpo, headers=gestor)
        assert respuesta.status_code == 404, (metodo, respuesta.text)
        assert respuesta.json()["code"] == 404
    lista = await http.get("/api/clientes", params={"q": creado["codigoCliente"]}, headers=gestor)
    assert lista.json()["data"]["totalElements"] == 0
    async with sessions() as s:  # soft: the row is still there
        assert (await s.get(m.Cliente, creado["id"])).vigente is False


@pytest.mark.parametrize("cliente_id", ["987654321", "0", "-1", "abc", str(2**63)])
async def test_id_desconocido_o_invalido(http, gestor, cliente_id):
    r = await http.get(f"/api/clientes/{cliente_id}", headers=gestor)
    assert r.status_code == (404 if cliente_id == "987654321" else 422), r.text
