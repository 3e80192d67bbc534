"""/api/etiquetas: create, read, rename, recolour, delete (soft), unique names, who may do what."""

from __future__ import annotations

import uuid

import pytest

URL = "/api/etiquetas"


def nombre(prefijo: str = "Etiqueta") -> str:
    return f"{prefijo} {uuid.uuid4().hex[:8]}"


async def crear(http, h, rol: str = "coordinadora", **cuerpo) -> dict:
    r = await http.post(URL, json={"nombre": nombre()} | cuerpo, headers=h[rol])
    assert r.status_code == 201, r.text
    return r.json()["data"]


async def test_crear_leer_y_listar(http, h):
    n = nombre("Cancelada por email")
    creada = await crear(http, h, nombre=f"  {n}  ", color="RED_2")
    assert creada["nombre"] == n  # trimmed
    assert creada["color"] == "RED_2"
    r = await http.get(f"{URL}/{creada['id']}", headers=h["asesor"])
    assert r.status_code == 200 and r.json()["data"]["nombre"] == n
    lista = (await http.get(URL, headers=h["tecnico"])).json()["data"]
    assert {"id": creada["id"], "nombre": n, "color": "RED_2"}.items() <= next(
        e for e in lista if e["id"] == creada["id"]
    ).items()


@pytest.mark.parametrize("color", ["#A1B2C3", "#a1b2c3"])
async def test_color_hex_se_guarda_en_minusculas(http, h, color):
    assert (await crear(http, h, color=color))["color"] == "#a1b2c3"


@pytest.mark.parametrize(
    "cuerpo, campo",
    [
        ({"nombre": ""}, "nombre"),
        ({"nombre": "   "}, "nombre"),
        ({"nombre": "x" * 51}, "nombre"),
        ({"nombre": "ok", "color": "rojo"}, "color"),
        ({"nombre": "ok", "color": "#12345"}, "color"),
        ({"nombre": "ok", "colour": "RED_2"}, "colour"),
    ],
)
async def test_datos_invalidos_dan_422_nombrando_el_campo(http, h, cuerpo, campo):
    r = await http.post(URL, json=cuerpo, headers=h["coordinadora"])
    assert r.status_code == 422, r.text
    assert r.json()["data"]["campo"] == campo


async def test_nombre_de_50_caracteres_se_acepta(http, h):
    largo = uuid.uuid4().hex + "x" * 18
    assert len(largo) == 50
    assert (await crear(http, h, nombre=largo))["nombre"] == largo


async def test_nombre_unico_sin_distinguir_mayusculas(http, h):
    n = nombre("Urgente")
    await crear(http, h, nombre=n)
    r = await http.post(URL, json={"nombre": n.upper()}, headers=h["coordinadora"])
    assert r.status_code == 409, r.text
    assert r.json()["data"]["campo"] == "nombre"


async def test_renombrar_a_un_nombre_ocupado_da_409(http, h):
    ocupado = (await crear(http, h))["nombre"]
    otra = await crear(http, h)
    r = await http.put(f"{URL}/{otra['id']}", json={"nombre": ocupado.lower()}, headers=h["coordinadora"])
    assert r.status_code == 409 and r.json()["data"]["campo"] == "nombre"


async def test_editar_es_parcial_y_null_quita_el_color(http, h):
    e = await crear(http, h, color="BLUE_1")
    nuevo = nombre("Renombrada")
    r = await http.patch(f"{URL}/{e['id']}", json={"nombre": nuevo}, headers=h["coordinadora"])
    assert r.status_code == 200, r.text
    assert r.json()["data"]["nombre"] == nuevo and r.json()["data"]["color"] == "BLUE_1"
    r = await http.put(f"{URL}/{e['id']}", json={"color": None}, headers=h["coordinadora"])
    assert r.json()["data"]["color"] is None and r.json()["data"]["nombre"] == nuevo
    r = await http.put(f"{URL}/{e['id']}", json={"nombre": None}, headers=h["coordinadora"])
    assert r.status_code == 422 and r.json()["data"]["campo"] == "nombre"


async def test_eliminar_es_logico_y_libera_el_nombre(http, h):
    e = await crear(http, h)
    r = await http.delete(f"{URL}/{e['id']}", headers=h["administrador"])
    assert r.status_code == 200, r.text
    assert (await http.get(f"{URL}/{e['id']}", headers=h["coordinadora"])).status_code == 404
    ids = [x["id"] for x in (await http.get(URL, headers=h["coordinadora"])).json()["data"]]
    assert e["id"] not in ids
    assert (await http.delete(f"{URL}/{e['id']}", headers=h["coordinadora"])).status_code == 404
    assert (
        await http.put(f"{URL}/{e['id']}", json={"color": None}, headers=h["coordinadora"])
    ).status_code == 404
    # The name of a deleted label can be taken again.
    assert (await crear(http, h, nombre=e["nombre"]))["id"] != e["id"]


@pytest.mark.parametrize("rol", ["tecnico", "asesor", "red", "contabilidad", "atencion-cliente"])
async def test_sin_editar_pendiente_ni_administrar_no_se_gestionan(http, h, rol):
    e = await crear(http, h)
    assert (await http.post(URL, json={"nombre": nombre()}, headers=h[rol])).status_code == 403
    assert (await http.put(f"{URL}/{e['id']}", json={"color": None}, headers=h[rol])).status_code == 403
    assert (await http.delete(f"{URL}/{e['id']}", headers=h[rol])).status_code == 403
    # ...but whoever reads pendientes reads the labels.
    assert (await http.get(URL, headers=h[rol])).status_code == 200


async def test_solo_administrar_basta_para_gestionar(http, cuenta):
    admin = await cuenta("ADMINISTRAR", "VER_TODOS")
    r = await http.post(URL, json={"nombre": nombre()}, headers=admin)
    assert r.status_code == 201, r.text


async def test_quien_no_lee_pendientes_no_lee_etiquetas(http, cuenta):
    sin_lectura = await cuenta("REGISTRAR_PAGO")
    assert (await http.get(URL, headers=sin_lectura)).status_code == 403


async def test_sin_token_401(http):
    assert (await http.get(URL)).status_code == 401
