"""The delivery log and manual redelivery over HTTP, on deliveries and attempts inserted directly: newest
first, filters by estado and creation time, every attempt of one delivery in Lima time, one delivery or a
range back to PENDIENTE (attempts kept in the log) and the engine's workflow woken in Temporal."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from temporalio.client import WorkflowExecutionStatus

from contrato import nombres
from db import models as m
from tests.api.webhooks.conftest import AISLADO, Intento

FALLOS = [
    Intento(1, timedelta(hours=30), 500),
    Intento(2, timedelta(hours=29), None, "ConnectTimeout"),
    Intento(3, timedelta(hours=2), 503),
]


@pytest.fixture
async def despertados(temporal_env):
    """The EntregasWorkflows a test expects woken; checked running, then ended so no worker keeps them."""
    ids: list[str] = []
    yield ids
    for id_ in ids:
        handle = temporal_env.client.get_workflow_handle(id_)
        descripcion = await handle.describe()
        if descripcion.status == WorkflowExecutionStatus.RUNNING:
            await handle.terminate("fin de la prueba")


async def despierto(temporal_env, webhook_id: int, clave: str) -> bool:
    handle = temporal_env.client.get_workflow_handle(nombres.entregas_id(webhook_id, clave))
    descripcion = await handle.describe()
    return descripcion.workflow_type == nombres.FLUJO_ENTREGAS


def lima(texto: str) -> datetime:
    assert texto.endswith("-05:00"), texto
    return datetime.fromisoformat(texto)


async def test_registro_mas_reciente_primero_con_filtros(http, h, suscribir, entregar):
    webhook = await suscribir(**AISLADO)
    otro = await suscribir(**AISLADO)
    vieja, _ = await entregar(webhook["id"], "FALLIDA", timedelta(days=3), FALLOS)
    media, evt_media = await entregar(
        webhook["id"], "ENTREGADA", timedelta(hours=5), [Intento(1, timedelta(hours=5), 200)]
    )
    nueva, _ = await entregar(webhook["id"], "PENDIENTE", timedelta(minutes=1), [], tipo="cliente.creado")
    await entregar(otro["id"], "FALLIDA", timedelta(hours=1))
    ruta, admin = f"/api/webhooks/{webhook['id']}/entregas", h["administrador"]

    r = await http.get(ruta, headers=admin)
    assert r.status_code == 200, r.text
    pagina = r.json()["data"]
    assert [e["id"] for e in pagina["content"]] == [nueva, media, vieja]
    assert pagina["totalElements"] == 3
    del_medio = pagina["content"][1]
    assert del_medio["eventoId"] == evt_media and del_medio["tipo"] == "pendiente.creado"
    assert (
        del_medio["estado"] == "ENTREGADA" and del_medio["intentos"] == 1 and del_medio["ultimoStatus"] == 200
    )
    assert lima(del_medio["entregadaEn"]) >= lima(del_medio["fechaCreacion"])
    assert pagina["content"][0]["tipo"] == "cliente.creado"

    r = await http.get(ruta, params={"estado": "FALLIDA"}, headers=admin)
    assert [e["id"] for e in r.json()["data"]["content"]] == [vieja]
    hace_un_dia = (datetime.now().astimezone() - timedelta(days=1)).isoformat()
    hace_una_hora = (datetime.now().astimezone() - timedelta(hours=1)).isoformat()
    r = await http.get(ruta, params={"desde": hace_un_dia}, headers=admin)
    assert [e["id"] for e in r.json()["data"]["content"]] == [nueva, media]
    r = await http.get(ruta, params={"desde": hace_un_dia, "hasta": hace_una_hora}, headers=admin)
    assert [e["id"] for e in r.json()["data"]["content"]] == [media]
    r = await http.get(ruta, params={"desde": hace_una_hora, "hasta": hace_un_dia}, headers=admin)
    assert r.status_code == 422 and r.json()["data"]["campo"] == "hasta"
    r = await http.get(ruta, params={"estado": "PERDIDA"}, headers=admin)
    assert r.status_code == 422 and r.json()["data"]["campo"] == "estado"
    r = await http.get(ruta, params={"size": 1, "page": 1}, headers=admin)
    assert [e["id"] for e in r.json()["data"]["content"]] == [media]


async def test_detalle_con_cada_intento(http, h, suscribir, entregar):
    webhook = await suscribir(**AISLADO)
    entrega_id, evento_id = await entregar(webhook["id"], "FALLIDA", timedelta(days=2), FALLOS)
    r = await http.get(f"/api/webhooks/{webhook['id']}/entregas/{entrega_id}", headers=h["administrador"])
    assert r.status_code == 200, r.text
    detalle = r.json()["data"]
    assert detalle["eventoId"] == evento_id and detalle["estado"] == "FALLIDA" and detalle["intentos"] == 3
    historial = detalle["historial"]
    assert [i["numero"] for i in historial] == [1, 2, 3]
    assert [i["status"] for i in historial] == [500, None, 503]
    assert historial[1]["error"] == "ConnectTimeout" and historial[0]["respuesta"] == "error interno"
    assert historial[0]["latenciaMs"] == 12
    fechas = [lima(i["fecha"]) for i in historial]
    assert fechas == sorted(fechas)

    otro = await suscribir(**AISLADO)
    r = await http.get(f"/api/webhooks/{otro['id']}/entregas/{entrega_id}", headers=h["administrador"])
    assert r.status_code == 404  # another subscription's delivery
    r = await http.get(f"/api/webhooks/{webhook['id']}/entregas/999999999", headers=h["administrador"])
    assert r.status_code == 404


async def test_reenviar_una_vuelve_a_pendiente_y_despierta_al_motor(
    http, h, suscribir, entregar, sessions, temporal_env, despertados
):
    webhook = await suscribir(**AISLADO)
    entrega_id, _ = await entregar(
        webhook["id"], "FALLIDA", timedelta(days=2), FALLOS, clave="pendiente-4242"
    )
    despertados.append(nombres.entregas_id(webhook["id"], "pendiente-4242"))
    ruta = f"/api/webhooks/{webhook['id']}/entregas/{entrega_id}/reenviar"
    r = await http.post(ruta, headers=h["administrador"])
    assert r.status_code == 202, r.text
    assert r.json()["data"]["reenviadas"] == 1

    async with sessions() as s:
        fila = await s.get(m.Entrega, entrega_id)
        ahora = await s.scalar(select(func.now()))
        intentos = await s.scalar(select(func.count()).where(m.IntentoEntrega.entrega_id == entrega_id))
    # Waiting again; the three attempts stay in the log. The receiver is down, so the engine may have
    # tried once more already (a fourth attempt, numbered after the others, and a retry pending).
    assert fila.estado == "PENDIENTE" and fila.entregada_en is None
    assert (fila.intentos, intentos) in ((3, 3), (4, 4))
    assert fila.proximo_intento >= ahora - timedelta(minutes=1)
    assert await despierto(temporal_env, webhook["id"], "pendiente-4242")

    # A delivered event may be sent again on purpose.
    entregada, _ = await entregar(webhook["id"], "ENTREGADA", clave="pendiente-4242")
    r = await http.post(
        f"/api/webhooks/{webhook['id']}/entregas/{entregada}/reenviar", headers=h["administrador"]
    )
    assert r.status_code == 202
    async with sessions() as s:
        fila = await s.get(m.Entrega, entregada)
    assert fila.estado == "PENDIENTE" and fila.entregada_en is None


async def test_reenviar_un_rango_solo_lo_fallido_o_descartado(
    http, h, suscribir, entregar, sessions, temporal_env, despertados
):
    webhook = await suscribir(**AISLADO)
    fallida, _ = await entregar(webhook["id"], "FALLIDA", timedelta(hours=6), FALLOS, clave="pendiente-1")
    descartada, _ = await entregar(webhook["id"], "DESCARTADA", timedelta(hours=5), clave="cliente-7")
    entregada, _ = await entregar(webhook["id"], "ENTREGADA", timedelta(hours=4), clave="pendiente-1")
    fuera, _ = await entregar(webhook["id"], "FALLIDA", timedelta(days=4), FALLOS, clave="pendiente-2")
    otro = await suscribir(**AISLADO)
    ajena, _ = await entregar(otro["id"], "FALLIDA", timedelta(hours=6), FALLOS, clave="pendiente-1")
    despertados += [nombres.entregas_id(webhook["id"], c) for c in ("pendiente-1", "cliente-7")]

    ahora = datetime.now().astimezone()
    rango = {"desde": (ahora - timedelta(days=1)).isoformat(), "hasta": ahora.isoformat()}
    r = await http.post(f"/api/webhooks/{webhook['id']}/reenviar", json=rango, headers=h["administrador"])
    assert r.status_code == 202, r.text
    assert r.json()["data"]["reenviadas"] == 2

    async with sessions() as s:
        estados = {
            i: (await s.get(m.Entrega, i)).estado for i in (fallida, descartada, entregada, fuera, ajena)
        }
    assert estados[fallida] == estados[descartada] == "PENDIENTE"
    assert estados[entregada] == "ENTREGADA"
    assert estados[fuera] == estados[ajena] == "FALLIDA"
    for clave in ("pendiente-1", "cliente-7"):
        assert await despierto(temporal_env, webhook["id"], clave)

    # Nothing left to redeliver in the range: 0, still 202.
    r = await http.post(
        f"/api/webhooks/{webhook['id']}/reenviar",
        json={"desde": rango["desde"], "hasta": (ahora - timedelta(hours=23)).isoformat()},
        headers=h["administrador"],
    )
    assert r.status_code == 202 and r.json()["data"]["reenviadas"] == 0
    r = await http.post(
        f"/api/webhooks/{webhook['id']}/reenviar",
        json={"desde": rango["hasta"], "hasta": rango["desde"]},
        headers=h["administrador"],
    )
    assert r.status_code == 422 and r.json()["data"]["campo"] == "hasta"


async def test_no_se_reenvia_a_un_webhook_inactivo(http, h, suscribir, entregar):
    webhook = await suscribir(**AISLADO)
    entrega_id, _ = await entregar(webhook["id"], "DESCARTADA")
    await http.patch(f"/api/webhooks/{webhook['id']}", json={"activo": False}, headers=h["administrador"])
    r = await http.post(
        f"/api/webhooks/{webhook['id']}/entregas/{entrega_id}/reenviar", headers=h["administrador"]
    )
    assert r.status_code == 409 and r.json()["data"]["campo"] == "activo"
    ahora = datetime.now().astimezone()
    rango = {"desde": (ahora - timedelta(days=1)).isoformat(), "hasta": ahora.isoformat()}
    r = await http.post(f"/api/webhooks/{webhook['id']}/reenviar", json=rango, headers=h["administrador"])
    assert r.status_code == 409
