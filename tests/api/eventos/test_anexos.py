"""Pagos, notas and clientes write their events in the transaction of the change: the record as its GET
shows it, the pendiente it hangs from (at its current version) and who made the change."""

from __future__ import annotations

import uuid

from tests.api.eventos.conftest import mismo_pendiente


def _sin_eliminado(vista: dict) -> dict:
    return {k: v for k, v in vista.items() if k != "eliminado"}


async def _uno(eventos, desde: int, tipo: str, **donde):
    escritos = await eventos(desde, **donde)
    assert [e.tipo for e in escritos] == [tipo]
    return escritos[0]


async def test_registrar_modificar_y_anular_un_pago(http, h, crear, personas, ultimo, eventos, como_admin):
    pendiente_id = await crear("ASIGNADO")
    admin = personas.actores["administrador"]
    quien = {"usuarioId": admin.usuario_id, "empleadoId": admin.empleado_id, "nombre": admin.nombre}
    pendiente = await como_admin(f"/api/pendientes/{pendiente_id}")

    desde = await ultimo()
    cuerpo = {"pendienteId": pendiente_id, "monto": "50.00", "metodoPago": "EFECTIVO", "referencia": "R-1"}
    r = await http.post("/api/pagos", json=cuerpo, headers=h["administrador"])
    assert r.status_code == 201, r.text
    pago_id = r.json()["data"]["id"]
    registrado = await _uno(eventos, desde, "pago.registrado", pendiente_id=pendiente_id)
    assert _sin_eliminado(registrado.datos["pago"]) == await como_admin(f"/api/pagos/{pago_id}")
    assert registrado.datos["pago"]["monto"] == 50
    mismo_pendiente(registrado.datos["pendiente"], pendiente)
    assert registrado.seq == pendiente["version"]
    assert registrado.datos["actor"] == quien

    desde = await ultimo()
    r = await http.put(f"/api/pagos/{pago_id}", json={"monto": "60.50"}, headers=h["administrador"])
    assert r.status_code == 200, r.text
    modificado = await _uno(eventos, desde, "pago.modificado", pendiente_id=pendiente_id)
    visto = await como_admin(f"/api/pagos/{pago_id}")
    assert _sin_eliminado(modificado.datos["pago"]) == visto and visto["monto"] == 60.5

    desde = await ultimo()
    r = await http.delete(f"/api/pagos/{pago_id}", headers=h["administrador"])
    assert r.status_code == 200, r.text
    anulado = await _uno(eventos, desde, "pago.anulado", pendiente_id=pendiente_id)
    assert anulado.datos["pago"] == visto | {"eliminado": True}
    assert registrado.id != modificado.id != anulado.id


async def test_crear_modificar_y_eliminar_una_nota(http, h, crear, ultimo, eventos, como_admin):
    pendiente_id = await crear("ASIGNADO")
    pendiente = await como_admin(f"/api/pendientes/{pendiente_id}")

    desde = await ultimo()
    r = await http.post(
        "/api/notas", json={"pendienteId": pendiente_id, "nota": "cliente pide llamar"}, headers=h["tecnico"]
    )
    assert r.status_code == 201, r.text
    nota_id = r.json()["data"]["id"]
    creada = await _uno(eventos, desde, "nota.creada", pendiente_id=pendiente_id)
    assert _sin_eliminado(creada.datos["nota"]) == await como_admin(f"/api/notas/{nota_id}")
    mismo_pendiente(creada.datos["pendiente"], pendiente)
    assert creada.seq == pendiente["version"]

    desde = await ultimo()
    r = await http.put(f"/api/notas/{nota_id}", json={"nota": "llamar a las 5"}, headers=h["tecnico"])
    assert r.status_code == 200, r.text
    modificada = await _uno(eventos, desde, "nota.modificada", pendiente_id=pendiente_id)
    vista = await como_admin(f"/api/notas/{nota_id}")
    assert _sin_eliminado(modificada.datos["nota"]) == vista and vista["nota"] == "llamar a las 5"

    desde = await ultimo()
    r = await http.delete(f"/api/notas/{nota_id}", headers=h["tecnico"])
    assert r.status_code == 200, r.text
    eliminada = await _uno(eventos, desde, "nota.eliminada", pendiente_id=pendiente_id)
    assert eliminada.datos["nota"] == vista | {"eliminado": True}


async def test_crear_modificar_y_eliminar_un_cliente(http, h, personas, ultimo, eventos, como_admin):
    admin = personas.actores["administrador"]
    cuerpo = {
        "tipoCliente": "PERSONA",
        "nombre": f"Cliente {uuid.uuid4().hex[:8]}",
        "tipoDocumento": "DNI",
        "numeroDocumento": f"{uuid.uuid4().int % 10**8:08d}",
    }
    desde = await ultimo()
    r = await http.post("/api/clientes", json=cuerpo, headers=h["administrador"])
    assert r.status_code == 201, r.text
    cliente_id = r.json()["data"]["id"]
    creado = await _uno(eventos, desde, "cliente.creado", cliente_id=cliente_id)
    assert _sin_eliminado(creado.datos["cliente"]) == await como_admin(f"/api/clientes/{cliente_id}")
    assert (creado.pendiente_id, creado.seq) == (None, None)
    assert creado.datos["actor"]["usuarioId"] == admin.usuario_id

    desde = await ultimo()
    url = f"/api/clientes/{cliente_id}"
    r = await http.put(url, json={"telefono": "987654321"}, headers=h["administrador"])
    assert r.status_code == 200, r.text
    modificado = await _uno(eventos, desde, "cliente.modificado", cliente_id=cliente_id)
    vista = await como_admin(f"/api/clientes/{cliente_id}")
    assert _sin_eliminado(modificado.datos["cliente"]) == vista and vista["telefono"] == "987654321"

    desde = await ultimo()
    r = await http.delete(f"/api/clientes/{cliente_id}", headers=h["administrador"])
    assert r.status_code == 200, r.text
    eliminado = await _uno(eventos, desde, "cliente.eliminado", cliente_id=cliente_id)
    assert eliminado.datos["cliente"]["eliminado"] is True
    assert _sin_eliminado(eliminado.datos["cliente"]).keys() == vista.keys()

    desde = await ultimo()
    r = await http.post("/api/clientes", json=cuerpo | {"numeroDocumento": "123"}, headers=h["administrador"])
    assert r.status_code == 422
    assert await eventos(desde) == []
