"""Notes are comments: a closed pendiente (FINALIZADO or CANCELADO) still takes them, with their images
(issue 10 §4, domain/cierre.py). Pendientes are closed through the API, as a user would."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("desde", "accion"), [("POR_VALIDAR", "finalizar"), ("ASIGNADO", "cancelar")])
async def test_un_pendiente_cerrado_admite_notas_e_imagenes(http, h, crear, desde, accion):
    pendiente_id = await crear(desde)
    r = await http.post(
        f"/api/pendientes/{pendiente_id}/acciones/{accion}",
        json={"motivo": "cierre"},
        headers=h["administrador"],
    )
    assert r.status_code == 200, r.text
    estado = r.json()["data"]["estado"]

    cuerpo = {
        "pendienteId": pendiente_id,
        "nota": "el cliente llamó",
        "imagenes": [{"url": "https://ejemplo.pe/a.png"}],
    }
    r = await http.post("/api/notas", json=cuerpo, headers=h["coordinadora"])
    assert r.status_code == 201, r.text
    nota = r.json()["data"]
    assert nota["estadoPendiente"] == estado and [i["url"] for i in nota["imagenes"]] == [
        "https://ejemplo.pe/a.png"
    ]

    url = f"/api/notas/{nota['id']}/imagenes"
    r = await http.put(url, json=[{"url": "https://ejemplo.pe/b.png"}], headers=h["coordinadora"])
    assert r.status_code == 200, r.text
    assert [i["url"] for i in r.json()["data"]] == ["https://ejemplo.pe/b.png"]
    r = await http.put(f"/api/notas/{nota['id']}", json={"nota": "corregida"}, headers=h["coordinadora"])
    assert r.status_code == 200 and r.json()["data"]["nota"] == "corregida", r.text
