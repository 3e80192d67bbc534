"""A technician who releases their own pendiente (reasignar) no longer sees it once it is released; the
release is applied, so the answer is a 2xx all the same (without the data), and a retry with the same
Idempotency-Key gets the same answer without releasing twice."""

from __future__ import annotations

from tests.conftest import auth


async def test_el_tecnico_que_libera_su_pendiente_recibe_200_y_el_reintento_tambien(
    http, tokens, crear, historial
):
    pendiente_id = await crear("EN_PROGRESO", tipo="AVERIA")
    tecnico = auth(tokens["tecnico"]) | {"Idempotency-Key": "liberar-1"}
    ruta = f"/api/pendientes/{pendiente_id}/acciones/reasignar"

    primera = await http.post(ruta, json={"motivo": "no llego hoy"}, headers=tecnico)
    segunda = await http.post(ruta, json={"motivo": "no llego hoy"}, headers=tecnico)

    for r in (primera, segunda):
        assert r.status_code == 200, r.text
        assert r.json()["data"] is None
        assert "REGISTRADO" in r.json()["message"]
    assert [f.accion for f in await historial(pendiente_id)].count("reasignar") == 1
    fila = (await http.get(f"/api/pendientes/{pendiente_id}", headers=auth(tokens["coordinadora"]))).json()
    assert (fila["data"]["estado"], fila["data"]["asignadoA"]) == ("REGISTRADO", None)
    assert (
        await http.get(f"/api/pendientes/{pendiente_id}", headers=auth(tokens["tecnico"]))
    ).status_code == 403
