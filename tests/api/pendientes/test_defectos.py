"""Reference §9 defects of the pendiente core that the other files of this folder do not already name:

- 1, 9: test_detalles.test_las_respuestas_incluyen_vlan_y_pppoe (clean VLAN paths, vlan/ppoe everywhere)
- 12, 30: test_editar_eliminar (an edit endpoint, partial PUT/PATCH)
- 14: test_detalles.test_tipo_de_la_ruta_distinto_del_pendiente_es_409, test_un_segundo_post_es_409
- 16: test_listado (titulo, usuarioId, date range, unknown sort)
- 31: test_detalles.test_costo_fijo_es_decimal_como_numero_o_texto
"""

from __future__ import annotations

import uuid

import pytest

from tests.api.pendientes.conftest import error


@pytest.mark.parametrize(
    ("extra", "campo"),
    [
        ({"estado": "ASIGNADO"}, "estado"),
        ({"estado": "FINALIZADO"}, "estado"),
        ({"estadoTecnico": "PENDIENTE_VLAN"}, "estadoTecnico"),
    ],
)
async def test_13_crear_con_otro_estado_es_422(http, h, nuevo_cliente, extra, campo):
    cliente = await nuevo_cliente()
    cuerpo = {"clienteId": cliente, "tipo": "AVERIA", "lugar": "PUNO", "prioridad": "BAJA"} | extra
    error(await http.post("/api/pendientes", json=cuerpo, headers=h["coordinadora"]), 422, campo)
    r = await http.post("/api/pendientes/filtrar", json={"clienteId": cliente}, headers=h["coordinadora"])
    assert r.json()["data"]["totalElements"] == 0


async def test_13_los_valores_iniciales_se_aceptan(http, h, nuevo_cliente, alta):
    data = await alta(await nuevo_cliente(), estado="REGISTRADO", estadoTecnico=None)
    assert (data["estado"], data["estadoTecnico"]) == ("REGISTRADO", "OK")


async def _filtrar(http, h, rol: str = "coordinadora", **filtros) -> list[int]:
    r = await http.post("/api/pendientes/filtrar", json=filtros, headers=h[rol])
    assert r.status_code == 200, r.text
    return [p["id"] for p in r.json()["data"]["content"]]


async def test_16_titulo_busca_en_campos_reales_y_ya_no_es_500(http, h, nuevo_cliente, alta):
    """`titulo` (the original's 500) now searches the client's name, code, document and addresses."""
    marca = uuid.uuid4().hex[:8]
    buscado = await alta(await nuevo_cliente(nombre=f"Vilma Ticona {marca}"))
    otro = await alta(await nuevo_cliente(nombre=f"Hugo Mamani {marca}"), direccion=f"Jr. Sol {marca}")

    assert await _filtrar(http, h, titulo=f"vilma ticona {marca}") == [buscado["id"]]
    assert await _filtrar(http, h, titulo=f"jr. sol {marca}") == [otro["id"]]
    assert sorted(await _filtrar(http, h, titulo=marca)) == sorted([buscado["id"], otro["id"]])
    # Blank text is no filter; `%` and `_` are literal characters, not wildcards.
    assert await _filtrar(http, h, titulo="  ", clienteId=buscado["idCliente"]) == [buscado["id"]]
    assert await _filtrar(http, h, titulo="%", clienteId=buscado["idCliente"]) == []
    assert await _filtrar(http, h, titulo="'; drop table pendientes; --") == []
    assert await _filtrar(http, h, titulo=marca, clienteId=otro["idCliente"]) == [otro["id"]]


async def test_38_las_lecturas_son_get(http, h, nuevo_cliente, alta, accion, personas):
    filtros = await http.get("/api/pendientes/filtros", headers=h["tecnico"])
    assert filtros.status_code == 200, filtros.text
    data = filtros.json()["data"]
    assert set(data["estados"]) == {
        "REGISTRADO",
        "ASIGNADO",
        "EN_PROGRESO",
        "PAUSADO",
        "REVISION",
        "POR_VALIDAR",
        "OBSERVADO",
        "FINALIZADO",
        "POSTERGADO",
        "CANCELADO",
    }
    assert set(data["estadosTecnico"]) == {
        "OK",
        "PENDIENTE_PPPoE",
        "PENDIENTE_VLAN",
        "PENDIENTE_PPPoE_Y_VLAN",
    }
    assert set(data["tipos"]) == {
        "AVERIA",
        "INSTALACION_INTERNET",
        "INSTALACION_CAMARAS",
        "RECOJO_DISPOSITIVOS",
        "TRASLADO",
    }
    assert set(data["prioridades"]) == {"BAJA", "MEDIA", "URGENTE", "MUY_URGENTE"}
    antiguo = await http.post("/api/pendientes/filtros", headers=h["tecnico"])
    assert antiguo.json()["data"] == data  # the original's POST read stays, answering the same

    cliente = await nuevo_cliente()
    suyo = await alta(cliente, detalle={"descripcionFalla": "sin señal"})
    ajeno = await alta(cliente, detalle={"descripcionFalla": "sin señal"})
    for pendiente, tecnico in ((suyo, personas.tecnicos[0]), (ajeno, personas.tecnicos[1])):
        await accion(pendiente["id"], "asignar", "coordinadora", tecnicoId=tecnico.empleado_id)
    lista = await http.get(f"/api/pendientes?clienteId={cliente}", headers=h["tecnico"])
    assert lista.status_code == 200, lista.text
    assert [p["id"] for p in lista.json()["data"]["content"]] == [suyo["id"]]  # a technician's own list
    assert await _filtrar(http, h, "tecnico", clienteId=cliente) == [suyo["id"]]
