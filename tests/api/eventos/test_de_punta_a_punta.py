"""Events out end to end: a subscription made through the API, changes made through the API, the outbox,
the relay and the delivery workflows of the real worker, a receiver on 127.0.0.1 that checks every
signature with its own HMAC — and a receiver written for the peer (Persat) that works unchanged."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import pytest

from domain.zona import LIMA
from infra.temporal import asegurar_repartidor
from tests.activities.receptor import Receptor, apartar_lo_anterior, firma_valida
from tests.conftest import TASK_QUEUE

ESPERA = 30  # seconds an event may take to arrive before the test fails


@pytest.fixture
async def repartidor(temporal_env, sessions, worker):
    """The relay on the shared worker's queue, for this test only. What earlier tests left in the
    outbox and their subscriptions (receivers long gone) are set aside first, so that the relay works
    only for this test's subscriptions."""
    await apartar_lo_anterior(sessions)
    id_ = f"repartidor-e2e-{uuid.uuid4().hex[:6]}"
    await asegurar_repartidor(temporal_env.client, TASK_QUEUE, id_)
    yield
    await temporal_env.client.get_workflow_handle(id_).terminate("fin de la prueba")
    await apartar_lo_anterior(sessions)


async def _suscribir(http, h, url: str, **campos) -> tuple[int, str]:
    r = await http.post("/api/webhooks", json={"url": url, **campos}, headers=h["administrador"])
    assert r.status_code == 201, r.text
    return r.json()["data"]["id"], r.json()["data"]["secreto"]


async def _esperar(condicion, mensaje: str) -> None:
    for _ in range(ESPERA * 10):
        if condicion():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(mensaje)


async def _nuevo_pendiente(http, h) -> int:
    cuerpo = {
        "clienteId": 1,
        "tipo": "AVERIA",
        "lugar": "JULIACA",
        "prioridad": "URGENTE",
        "detalle": {"descripcionFalla": "sin señal"},
    }
    r = await http.post("/api/pendientes", json=cuerpo, headers=h["coordinadora"])
    assert r.status_code == 201, r.text
    return r.json()["data"]["id"]


async def _accion(http, h, pendiente_id: int, accion: str, cuerpo: dict) -> None:
    ruta = f"/api/pendientes/{pendiente_id}/acciones/{accion}"
    r = await http.post(ruta, json=cuerpo, headers=h["coordinadora"])
    assert r.status_code == 200, r.text


def _en_dias(dias: int) -> str:
    return (datetime.now(LIMA) + timedelta(days=dias)).replace(microsecond=0).isoformat()


def receptor_escrito_para_persat(cuerpo: dict) -> tuple[str, str, str, str]:
    """What an integration built for Persat reads from a work-order webhook (reference §4, §10.3)."""
    ot = cuerpo["payload"]
    return cuerpo["eventType"], ot["_id"], ot["state"], ot["client"]["name"]


async def test_cada_cambio_llega_firmado_y_en_orden_y_persat_lo_entiende(http, h, personas, repartidor):
    async with Receptor() as propio, Receptor() as persat:
        _, secreto = await _suscribir(http, h, propio.url)
        solo_altas = {"formato": "persat", "eventos": ["pendiente.creado"]}
        _, secreto_persat = await _suscribir(http, h, persat.url, **solo_altas)

        pendiente_id = await _nuevo_pendiente(http, h)
        await _accion(http, h, pendiente_id, "asignar", {"tecnicoId": personas.tecnicos[0].empleado_id})
        await _accion(http, h, pendiente_id, "cancelar", {"motivo": "desistió"})

        def de_este(receptor):
            return [p for p in receptor.aceptadas() if p.json.get("pendienteId") == pendiente_id]

        await _esperar(lambda: len(de_este(propio)) == 3, f"3 events expected, got {propio.peticiones}")
        recibidos = de_este(propio)
        tipos = [p.json["tipo"] for p in recibidos]
        assert tipos == ["pendiente.creado", "pendiente.asignado", "pendiente.cancelado"]
        assert [p.json["seq"] for p in recibidos] == [0, 1, 2]
        assert all(firma_valida(secreto, p.cabeceras, p.cuerpo) for p in recibidos)
        assert len({p.id for p in recibidos}) == 3
        assert recibidos[-1].json["datos"]["pendiente"]["estado"] == "CANCELADO"

        cliente = (await http.get("/api/clientes/1", headers=h["administrador"])).json()["data"]["nombre"]
        await _esperar(
            lambda: any(p.json["payload"]["_id"] == str(pendiente_id) for p in persat.aceptadas()),
            f"no workorder.created for {pendiente_id}: {persat.peticiones}",
        )
        (creado,) = [p for p in persat.aceptadas() if p.json["payload"]["_id"] == str(pendiente_id)]
        esperado = ("workorder.created", str(pendiente_id), "PENDIENTE", cliente)
        assert receptor_escrito_para_persat(creado.json) == esperado
        assert firma_valida(secreto_persat, creado.cabeceras, creado.cuerpo)


async def test_un_receptor_lento_no_frena_las_acciones(http, h, repartidor):
    """The receiver holds the first delivery open; meanwhile every action answers: nobody waits for it."""
    async with Receptor(guion=lambda p, n: ("colgar", 60.0)) as lento:
        await _suscribir(http, h, lento.url)
        pendiente_id = await _nuevo_pendiente(http, h)
        await _esperar(lambda: len(lento.peticiones) >= 1, "the first delivery never reached the receiver")

        await _accion(http, h, pendiente_id, "postergar", {"nuevaFecha": _en_dias(3), "motivo": "de viaje"})
        await _accion(http, h, pendiente_id, "cancelar", {"motivo": "desistió"})
        # Both actions were answered while the receiver still held the first delivery unanswered.
        assert lento.peticiones and all(p.status is None for p in lento.peticiones)
