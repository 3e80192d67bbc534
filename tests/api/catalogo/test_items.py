"""Items of a pendiente: totals computed by the server, empty list is [], visibility and write rights,
frozen once the pendiente is closed, soft delete."""

from __future__ import annotations

from decimal import Decimal

import pytest

from db import models as m
from tests.conftest import auth

ITEMS = "/api/productos/pendientes/items"
CAMPOS = {
    "id",
    "pendienteId",
    "productoId",
    "productoNombre",
    "descripcion",
    "cantidad",
    "costoUnitario",
    "costoTotal",
}


def items_de(pendiente_id: int) -> str:
    return f"/api/productos/pendientes/{pendiente_id}/items"


async def _item(http, cabeceras, pendiente_id: int, producto_id: int, **extra) -> dict:
    cuerpo = {"pendienteId": pendiente_id, "productoId": producto_id, "descripcion": "Bajada", "cantidad": 3}
    r = await http.post(ITEMS, json=cuerpo | extra, headers=cabeceras)
    assert r.status_code == 201, r.text
    return r.json()["data"]


async def test_lista_vacia_es_200_con_lista_vacia(http, admin, crear):
    """Defect 27: the original answered 404 when a pendiente had no items."""
    pendiente_id = await crear("REGISTRADO")
    r = await http.get(items_de(pendiente_id), headers=admin)
    assert r.status_code == 200
    assert r.json()["data"] == []


async def test_total_lo_calcula_el_servidor_e_ignora_el_del_cliente(http, admin, crear, producto, sessions):
    """The original stored whatever total the client sent; here 3 × 12.35 is 37.05, whatever is sent."""
    pendiente_id = await crear("EN_PROGRESO")
    prod = await producto(nombre="Conector RJ45", costoUnitario="0.80")

    data = await _item(http, admin, pendiente_id, prod["id"], costoUnitario="12.35", costoTotal="999.99")

    assert set(data) == CAMPOS
    assert data == {
        "id": data["id"],
        "pendienteId": pendiente_id,
        "productoId": prod["id"],
        "productoNombre": "Conector RJ45",
        "descripcion": "Bajada",
        "cantidad": 3,
        "costoUnitario": 12.35,
        "costoTotal": 37.05,
    }
    async with sessions() as s:
        fila = await s.get(m.PendienteItem, data["id"])
    assert (fila.costo_unitario, fila.costo_total) == (Decimal("12.35"), Decimal("37.05"))
    lista = (await http.get(items_de(pendiente_id), headers=admin)).json()["data"]
    assert lista == [data]


async def test_costo_unitario_por_defecto_es_el_precio_del_producto(http, admin, crear, producto):
    pendiente_id = await crear("REGISTRADO")
    prod = await producto(costoUnitario="29.90")
    data = await _item(http, admin, pendiente_id, prod["id"], cantidad=2, costoUnitario=None)
    assert (data["costoUnitario"], data["costoTotal"]) == (29.9, 59.8)


async def test_put_parcial_recalcula_el_total(http, admin, crear, producto):
    pendiente_id = await crear("ASIGNADO")
    prod = await producto(costoUnitario="10.00")
    item = await _item(http, admin, pendiente_id, prod["id"], cantidad=2)

    r = await http.put(f"{ITEMS}/{item['id']}", json={"cantidad": 5, "costoTotal": 1}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["data"] == item | {"cantidad": 5, "costoTotal": 50.0}

    r = await http.put(
        f"{ITEMS}/{item['id']}", json={"costoUnitario": "7.25", "descripcion": None}, headers=admin
    )
    assert r.json()["data"] == item | {
        "cantidad": 5,
        "costoUnitario": 7.25,
        "costoTotal": 36.25,
        "descripcion": None,
    }


async def test_cambiar_de_producto_toma_su_precio(http, admin, crear, producto):
    pendiente_id = await crear("ASIGNADO")
    barato, caro = (
        await producto(costoUnitario="1.00"),
        await producto(nombre="Switch 8p", costoUnitario="120.00"),
    )
    item = await _item(http, admin, pendiente_id, barato["id"], cantidad=2)

    r = await http.put(
        f"{ITEMS}/{item['id']}", json={"productoId": caro["id"], "pendienteId": pendiente_id}, headers=admin
    )

    data = r.json()["data"]
    assert (data["productoId"], data["productoNombre"], data["costoUnitario"], data["costoTotal"]) == (
        caro["id"],
        "Switch 8p",
        120.0,
        240.0,
    )


async def test_un_item_no_cambia_de_pendiente(http, admin, crear, producto):
    uno, otro = await crear("REGISTRADO"), await crear("REGISTRADO")
    item = await _item(http, admin, uno, (await producto())["id"])
    r = await http.put(f"{ITEMS}/{item['id']}", json={"pendienteId": otro}, headers=admin)
    assert r.status_code == 422
    assert r.json()["data"]["campo"] == "pendienteId"


@pytest.mark.parametrize(
    ("cambio", "campo"),
    [
        ({"cantidad": 0}, "cantidad"),
        ({"cantidad": None}, "cantidad"),
        ({"cantidad": 2.5}, "cantidad"),
        ({"costoUnitario": "-0.01"}, "costoUnitario"),
        ({"costoUnitario": "0.001"}, "costoUnitario"),
        ({"productoId": None}, "productoId"),
        ({"pendienteId": "uno"}, "pendienteId"),
        ({"descripcion": "x" * 256}, "descripcion"),
        ({"descripcion": "nul\x00"}, "descripcion"),
        # 1,000,000 × 99,999,999.99 does not fit numeric(12,2): refused, not a 500.
        ({"cantidad": 1_000_000, "costoUnitario": "99999999.99"}, "cantidad"),
    ],
)
async def test_crear_invalido_da_422(http, admin, crear, producto, cambio, campo):
    pendiente_id = await crear("REGISTRADO")
    cuerpo = {"pendienteId": pendiente_id, "productoId": (await producto())["id"], "cantidad": 1} | cambio
    r = await http.post(ITEMS, json=cuerpo, headers=admin)
    assert r.status_code == 422, r.text
    assert r.json()["data"]["campo"] == campo


@pytest.mark.parametrize(
    ("cuerpo", "campo"), [({"cantidad": None}, "cantidad"), ({"costoUnitario": None}, "costoUnitario")]
)
async def test_put_con_null_en_obligatorio_da_422(http, admin, crear, producto, cuerpo, campo):
    item = await _item(http, admin, await crear("REGISTRADO"), (await producto())["id"])
    r = await http.put(f"{ITEMS}/{item['id']}", json=cuerpo, headers=admin)
    assert r.status_code == 422
    assert r.json()["data"]["campo"] == campo


async def test_pendiente_o_producto_desconocidos_dan_404(http, admin, crear, producto):
    pendiente_id = await crear("REGISTRADO")
    borrado = await producto()
    await http.delete(f"/api/productos/{borrado['id']}", headers=admin)

    assert (await http.get(items_de(987654321), headers=admin)).status_code == 404
    r = await http.post(ITEMS, json={"pendienteId": 987654321, "productoId": 1, "cantidad": 1}, headers=admin)
    assert r.status_code == 404
    for producto_id in (987654321, borrado["id"]):
        r = await http.post(
            ITEMS, json={"pendienteId": pendiente_id, "productoId": producto_id, "cantidad": 1}, headers=admin
        )
        assert r.status_code == 404
        assert r.json()["data"]["campo"] == "productoId"
    for metodo in ("PUT", "DELETE"):
        r = await http.request(metodo, f"{ITEMS}/987654321", json={"cantidad": 1}, headers=admin)
        assert r.status_code == 404, metodo


async def test_eliminar_es_logico(http, admin, crear, producto):
    pendiente_id = await crear("REGISTRADO")
    item = await _item(http, admin, pendiente_id, (await producto())["id"])

    r = await http.delete(f"{ITEMS}/{item['id']}", headers=admin)

    assert r.status_code == 200
    assert (await http.get(items_de(pendiente_id), headers=admin)).json()["data"] == []
    assert (await http.put(f"{ITEMS}/{item['id']}", json={"cantidad": 2}, headers=admin)).status_code == 404
    assert (await http.delete(f"{ITEMS}/{item['id']}", headers=admin)).status_code == 404


async def test_el_tecnico_asignado_escribe_y_otro_tecnico_no_ve(http, tokens, crear, producto):
    pendiente_id = await crear("EN_PROGRESO")
    prod = await producto()
    tecnico, otro = auth(tokens["tecnico"]), auth(tokens["tecnico2"])

    item = await _item(http, tecnico, pendiente_id, prod["id"])
    assert (await http.get(items_de(pendiente_id), headers=tecnico)).json()["data"] == [item]

    assert (await http.get(items_de(pendiente_id), headers=otro)).status_code == 403
    cuerpo = {"pendienteId": pendiente_id, "productoId": prod["id"], "cantidad": 1}
    assert (await http.post(ITEMS, json=cuerpo, headers=otro)).status_code == 403
    assert (await http.put(f"{ITEMS}/{item['id']}", json={"cantidad": 9}, headers=otro)).status_code == 403
    assert (await http.delete(f"{ITEMS}/{item['id']}", headers=otro)).status_code == 403


@pytest.mark.parametrize("rol", ["coordinadora", "contabilidad"])
async def test_edicion_y_cobro_escriben_items(http, tokens, crear, producto, rol):
    pendiente_id = await crear("ASIGNADO")
    await _item(http, auth(tokens[rol]), pendiente_id, (await producto())["id"])


@pytest.mark.parametrize("rol", ["asesor", "red", "atencion-cliente"])
async def test_sin_permiso_de_escritura_da_403_pero_puede_leer(http, tokens, admin, crear, producto, rol):
    pendiente_id = await crear("ASIGNADO")
    item = await _item(http, admin, pendiente_id, (await producto())["id"])
    cabeceras = auth(tokens[rol])

    assert (await http.get(items_de(pendiente_id), headers=cabeceras)).status_code == 200
    cuerpo = {"pendienteId": pendiente_id, "productoId": item["productoId"], "cantidad": 1}
    assert (await http.post(ITEMS, json=cuerpo, headers=cabeceras)).status_code == 403
    assert (
        await http.put(f"{ITEMS}/{item['id']}", json={"cantidad": 2}, headers=cabeceras)
    ).status_code == 403
    assert (await http.delete(f"{ITEMS}/{item['id']}", headers=cabeceras)).status_code == 403


@pytest.mark.parametrize("estado", ["FINALIZADO", "CANCELADO"])
async def test_pendiente_cerrado_congela_sus_items(http, admin, crear, producto, estado, sessions):
    pendiente_id = await crear("POR_VALIDAR" if estado == "FINALIZADO" else "ASIGNADO")
    prod = await producto()
    item = await _item(http, admin, pendiente_id, prod["id"])
    accion = {"FINALIZADO": "finalizar", "CANCELADO": "cancelar"}[estado]
    r = await http.post(
        f"/api/pendientes/{pendiente_id}/acciones/{accion}", json={"motivo": "cierre"}, headers=admin
    )
    assert r.status_code == 200, r.text

    cuerpo = {"pendienteId": pendiente_id, "productoId": prod["id"], "cantidad": 1}
    respuestas = [
        await http.post(ITEMS, json=cuerpo, headers=admin),
        await http.put(f"{ITEMS}/{item['id']}", json={"cantidad": 2}, headers=admin),
        await http.delete(f"{ITEMS}/{item['id']}", headers=admin),
    ]

    assert [r.status_code for r in respuestas] == [409, 409, 409]
    assert all(r.json()["data"]["estado"] == estado for r in respuestas)
    # Still readable, unchanged.
    assert (await http.get(items_de(pendiente_id), headers=admin)).json()["data"] == [item]


async def test_sin_token_da_401(http):
    assert (await http.get(items_de(1))).status_code == 401
    assert (await http.post(ITEMS, json={})).status_code == 401
