"""What a closed pendiente accepts, for payments (issue 10 §4): the customer pays after finished work,
but nothing is charged for cancelled work. Pendientes are closed through the API, as a user would."""

from __future__ import annotations

import pytest

CONFLICTO = {"estado", "estadoTecnico", "accionesPermitidas", "version"}


def cuerpo(pendiente_id: int, **extra) -> dict:
    return {"pendienteId": pendiente_id, "monto": 80, "metodoPago": "EFECTIVO", **extra}


@pytest.fixture
def cerrar(http, h):
    async def _cerrar(pendiente_id: int, accion: str) -> dict:
        r = await http.post(
            f"/api/pendientes/{pendiente_id}/acciones/{accion}",
            json={"motivo": "cierre"},
            headers=h["administrador"],
        )
        assert r.status_code == 200, r.text
        return (await http.get(f"/api/pendientes/{pendiente_id}", headers=h["administrador"])).json()["data"]

    return _cerrar


async def _pagos(http, h, pendiente_id: int) -> list[dict]:
    r = await http.get(f"/api/pagos/pendiente/{pendiente_id}", headers=h["contabilidad"])
    assert r.status_code == 200, r.text
    return r.json()["data"]


async def test_un_pendiente_cancelado_no_admite_pagos(http, h, crear, cerrar):
    pendiente_id = await crear("ASIGNADO")
    antes = await http.post("/api/pagos", json=cuerpo(pendiente_id), headers=h["contabilidad"])
    assert antes.status_code == 201, antes.text
    pendiente = await cerrar(pendiente_id, "cancelar")
    assert pendiente["estado"] == "CANCELADO"

    r = await http.post("/api/pagos", json=cuerpo(pendiente_id, monto=20), headers=h["contabilidad"])

    assert r.status_code == 409, r.text
    assert "CANCELADO" in r.json()["message"]
    # The one conflict shape; accounting may not postpone, so it is offered nothing.
    assert r.json()["data"] == {
        "estado": "CANCELADO",
        "estadoTecnico": pendiente["estadoTecnico"],
        "accionesPermitidas": [],
        "version": pendiente["version"],
    }
    # An administrator is refused too, and told the pendiente can be postponed back into the queue.
    r = await http.post("/api/pagos", json=cuerpo(pendiente_id), headers=h["administrador"])
    assert r.status_code == 409 and "postergar" in r.json()["data"]["accionesPermitidas"], r.text
    assert await _pagos(http, h, pendiente_id) == [antes.json()["data"]]


async def test_un_pago_tomado_antes_de_cancelar_se_corrige_y_se_anula(http, h, crear, cerrar):
    """What the rule refuses is a new charge; a payment already recorded stays a record to fix."""
    pendiente_id = await crear("ASIGNADO")
    pago = (await http.post("/api/pagos", json=cuerpo(pendiente_id), headers=h["contabilidad"])).json()[
        "data"
    ]
    await cerrar(pendiente_id, "cancelar")
    url = f"/api/pagos/{pago['id']}"
    r = await http.put(url, json={"referencia": "devuelto"}, headers=h["contabilidad"])
    assert r.status_code == 200 and r.json()["data"]["referencia"] == "devuelto", r.text
    assert (await http.delete(url, headers=h["contabilidad"])).status_code == 200
    assert await _pagos(http, h, pendiente_id) == []


async def test_un_pago_no_se_mueve_a_un_pendiente_cancelado(http, h, crear, cerrar):
    abierto, cancelado = await crear("ASIGNADO"), await crear("ASIGNADO")
    await cerrar(cancelado, "cancelar")
    pago = (await http.post("/api/pagos", json=cuerpo(abierto), headers=h["contabilidad"])).json()["data"]

    r = await http.put(f"/api/pagos/{pago['id']}", json={"pendienteId": cancelado}, headers=h["contabilidad"])

    assert r.status_code == 409, r.text
    assert set(r.json()["data"]) == CONFLICTO and r.json()["data"]["estado"] == "CANCELADO"
    assert await _pagos(http, h, abierto) == [pago]
    assert await _pagos(http, h, cancelado) == []


async def test_un_pendiente_finalizado_admite_pagos(http, h, crear, cerrar):
    """The customer pays after the work is done."""
    pendiente_id = await crear("POR_VALIDAR")
    assert (await cerrar(pendiente_id, "finalizar"))["estado"] == "FINALIZADO"

    r = await http.post("/api/pagos", json=cuerpo(pendiente_id, monto=150.5), headers=h["contabilidad"])

    assert r.status_code == 201, r.text
    assert r.json()["data"]["monto"] == 150.5
    assert await _pagos(http, h, pendiente_id) == [r.json()["data"]]
    # And one can be moved there.
    otro = await crear("ASIGNADO")
    pago = (await http.post("/api/pagos", json=cuerpo(otro), headers=h["contabilidad"])).json()["data"]
    r = await http.put(
        f"/api/pagos/{pago['id']}", json={"pendienteId": pendiente_id}, headers=h["contabilidad"]
    )
    assert r.status_code == 200 and r.json()["data"]["pendienteId"] == pendiente_id, r.text
