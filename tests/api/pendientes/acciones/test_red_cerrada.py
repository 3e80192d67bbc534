"""No network work on a closed pendiente: once CANCELADO (its workflow still running, recoverable by
postergar) or FINALIZADO, the network team can neither ask for nor configure PPPoE/VLAN (409, nothing
written), and the actions are not offered."""

from __future__ import annotations

import pytest

from tests.conftest import auth

RED = {
    "pedir_pppoe": {},
    "pedir_vlan": {},
    "configurar_vlan": {"vlan": 300},
    "configurar_pppoe": {"pppoeUser": "cliente@simax", "pppoePassword": "clave-de-red-1"},
}


@pytest.mark.parametrize("estado", ["CANCELADO", "FINALIZADO"])
async def test_un_pendiente_cerrado_no_admite_trabajo_de_red(http, tokens, crear, historial, estado):
    pendiente_id = await crear(estado, tipo="AVERIA")
    red = auth(tokens["red"])
    antes = [(f.seq, f.accion) for f in await historial(pendiente_id)]

    ofrecidas = (await http.get(f"/api/pendientes/{pendiente_id}/acciones", headers=red)).json()["data"]
    assert set(ofrecidas["acciones"]) & set(RED) == set()
    for accion, cuerpo in RED.items():
        r = await http.post(f"/api/pendientes/{pendiente_id}/acciones/{accion}", json=cuerpo, headers=red)
        assert r.status_code == 409, (accion, r.text)
        assert r.json()["data"]["estado"] == estado
        assert r.json()["data"]["estadoTecnico"] == "OK"

    assert [(f.seq, f.accion) for f in await historial(pendiente_id)] == antes
    detalle = (await http.get(f"/api/pendientes/{pendiente_id}/averia", headers=red)).json()["data"]
    assert (detalle["vlan"], detalle["ppoe"]) == (None, None)
