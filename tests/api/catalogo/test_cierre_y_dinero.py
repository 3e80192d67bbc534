"""Items of a closed pendiente answer the one conflict shape (issue 10 §4), and money comes back as a
JSON number equal to what was sent (one representation: api/comun/tipos.py)."""

from __future__ import annotations

import json
import uuid

import pytest

ITEMS = "/api/productos/pendientes/items"


async def _producto(http, h, costo) -> dict:
    cuerpo = {
        "codigoBarra": f"99{uuid.uuid4().int % 10**10:010d}",
        "nombre": "Conector",
        "costoUnitario": costo,
    }
    r = await http.post("/api/productos", json=cuerpo, headers=h["administrador"])
    assert r.status_code == 201, r.text
    return r.json()["data"]


def _numero(respuesta, campo: str):
    """The field as it is on the wire: a JSON number (int or float), never a string."""
    valor = json.loads(respuesta.text)["data"][campo]
    assert isinstance(valor, int | float) and not isinstance(valor, bool), respuesta.text
    return valor


@pytest.mark.parametrize(
    ("estado", "desde", "accion"),
    [("FINALIZADO", "POR_VALIDAR", "finalizar"), ("CANCELADO", "ASIGNADO", "cancelar")],
)
async def test_items_de_un_pendiente_cerrado_dan_409_con_la_forma_unica(
    http, h, crear, estado, desde, accion
):
    pendiente_id = await crear(desde)
    producto = await _producto(http, h, 3)
    r = await http.post(
        ITEMS,
        json={"pendienteId": pendiente_id, "productoId": producto["id"], "cantidad": 1},
        headers=h["coordinadora"],
    )
    assert r.status_code == 201, r.text
    item = r.json()["data"]
    r = await http.post(
        f"/api/pendientes/{pendiente_id}/acciones/{accion}",
        json={"motivo": "cierre"},
        headers=h["administrador"],
    )
    assert r.status_code == 200, r.text
    pendiente = (await http.get(f"/api/pendientes/{pendiente_id}", headers=h["administrador"])).json()["data"]

    respuestas = [
        await http.post(
            ITEMS,
            json={"pendienteId": pendiente_id, "productoId": producto["id"], "cantidad": 1},
            headers=h["coordinadora"],
        ),
        await http.put(f"{ITEMS}/{item['id']}", json={"cantidad": 2}, headers=h["coordinadora"]),
        await http.delete(f"{ITEMS}/{item['id']}", headers=h["coordinadora"]),
    ]

    for r in respuestas:
        assert r.status_code == 409, r.text
        datos = r.json()["data"]
        assert set(datos) == {"estado", "estadoTecnico", "accionesPermitidas", "version"}
        assert (datos["estado"], datos["estadoTecnico"], datos["version"]) == (
            estado,
            pendiente["estadoTecnico"],
            pendiente["version"],
        )
    items = (
        await http.get(f"/api/productos/pendientes/{pendiente_id}/items", headers=h["coordinadora"])
    ).json()
    assert items["data"] == [item]


@pytest.mark.parametrize(
    ("costo", "cantidad", "total"), [(12.34, 3, 37.02), (0.1, 3, 0.3), ("19.90", 2, 39.8), (7, 1, 7)]
)
async def test_costos_vuelven_como_numeros_iguales_a_lo_enviado(http, h, crear, costo, cantidad, total):
    """0.1 × 3 is 0.3 exactly (the server computes in decimals), not 0.30000000000000004."""
    producto = await _producto(http, h, costo)
    pendiente_id = await crear("ASIGNADO")
    cuerpo = {
        "pendienteId": pendiente_id,
        "productoId": producto["id"],
        "cantidad": cantidad,
        "costoUnitario": costo,
    }
    r = await http.post(ITEMS, json=cuerpo, headers=h["coordinadora"])
    assert r.status_code == 201, r.text
    assert _numero(r, "costoUnitario") == float(costo)
    assert _numero(r, "costoTotal") == total
    leido = await http.get(f"/api/productos/{producto['id']}", headers=h["tecnico"])
    assert _numero(leido, "costoUnitario") == float(costo)


@pytest.mark.parametrize("monto", [50, 50.1, 1234567.89, "0.01", 9999999999.99])
async def test_el_monto_vuelve_como_numero_igual_a_lo_enviado(http, h, crear, monto):
    pendiente_id = await crear("ASIGNADO")
    cuerpo = {"pendienteId": pendiente_id, "monto": monto, "metodoPago": "BCP"}
    r = await http.post("/api/pagos", json=cuerpo, headers=h["contabilidad"])
    assert r.status_code == 201, r.text
    assert _numero(r, "monto") == float(monto)
    leido = await http.get(f"/api/pagos/{r.json()['data']['id']}", headers=h["contabilidad"])
    assert _numero(leido, "monto") == float(monto)
