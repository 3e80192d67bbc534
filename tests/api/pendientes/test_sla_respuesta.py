"""The SLA as the API shows it: estadoSla, the deadline and the time counted on every pendiente, the
deadline of its priority (the issue's defaults, typed here), a stopped clock while POSTERGADO, and the
estadoSla filter of both list endpoints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.api.pendientes.conftest import error

HORAS = {"MUY_URGENTE": 4, "URGENTE": 24, "MEDIA": 72, "BAJA": 168}


def _instante(texto: str) -> datetime:
    return datetime.fromisoformat(texto)


@pytest.mark.parametrize("prioridad", list(HORAS))
async def test_un_pendiente_nuevo_esta_en_plazo_con_el_plazo_de_su_prioridad(
    http, h, alta, nuevo_cliente, prioridad
):
    antes = datetime.now(UTC)
    creado = await alta(await nuevo_cliente(), prioridad=prioridad)
    r = await http.get(f"/api/pendientes/{creado['id']}", headers=h["coordinadora"])
    data = r.json()["data"]
    assert data["estadoSla"] == "EN_PLAZO"
    assert data["slaPlazoHoras"] == HORAS[prioridad]
    vence = _instante(data["slaVence"])
    plazo = timedelta(hours=HORAS[prioridad])
    assert antes + plazo - timedelta(seconds=5) <= vence <= datetime.now(UTC) + plazo
    assert 0 <= data["slaTranscurridoMinutos"] <= 1


async def test_postergado_no_tiene_vencimiento_y_la_lista_filtra_por_estado_sla(
    http, h, alta, accion, nuevo_cliente
):
    cliente = await nuevo_cliente()
    abierto = await alta(cliente, prioridad="URGENTE")
    postergado = await alta(cliente, prioridad="URGENTE")
    manana = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    await accion(postergado["id"], "postergar", "coordinadora", nuevaFecha=manana, motivo="cliente de viaje")

    r = await http.get(f"/api/pendientes/{postergado['id']}", headers=h["coordinadora"])
    assert r.json()["data"]["estadoSla"] == "EN_PLAZO" and r.json()["data"]["slaVence"] is None

    for estado, esperados in (("EN_PLAZO", {abierto["id"], postergado["id"]}), ("INCUMPLIDO", set())):
        filtro = {"clienteId": cliente, "estadoSla": estado}
        r = await http.post("/api/pendientes/filtrar", json=filtro, headers=h["coordinadora"])
        assert {p["id"] for p in r.json()["data"]["content"]} == esperados
        r = await http.get("/api/pendientes", params=filtro, headers=h["coordinadora"])
        assert {p["id"] for p in r.json()["data"]["content"]} == esperados


async def test_un_estado_sla_desconocido_da_422(http, h):
    r = await http.post("/api/pendientes/filtrar", json={"estadoSla": "TARDE"}, headers=h["coordinadora"])
    error(r, 422, "estadoSla")
