"""Issue 10 §4: one 409 shape everywhere, every 422 names the field as the API spells it, unknown create
fields are refused, an expected refusal logs no traceback, and `GET /` sends a person somewhere useful."""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowExecutionStatus

from db import models as m
from infra.temporal import workflow_id
from tests.api.test_produccion import app_en, cliente
from tests.conftest import auth

# README "Errores": the keys of every 409 body, whichever layer refuses.
FORMA_409 = {"estado", "estadoTecnico", "accionesPermitidas", "version"}


def url(pendiente_id: int, resto: str = "") -> str:
    return f"/api/pendientes/{pendiente_id}{resto}"


def assert_forma_409(r, estado: str, acciones: set[str]) -> None:
    assert r.status_code == 409, r.text
    data = r.json()["data"]
    assert set(data) == FORMA_409, data
    assert data["estado"] == estado
    assert data["estadoTecnico"] == "OK"
    assert set(data["accionesPermitidas"]) == acciones
    assert isinstance(data["version"], int)


async def test_put_estado_imposible_da_la_forma_unica_con_las_acciones_de_quien_pregunta(http, tokens, crear):
    pendiente_id = await crear("REGISTRADO")
    r = await http.put(
        url(pendiente_id, "/estado?nuevoEstado=FINALIZADO"), headers=auth(tokens["coordinadora"])
    )
    # The coordinator may assign, cancel or postpone a registered pendiente (product-decisions table).
    assert_forma_409(r, "REGISTRADO", {"asignar", "cancelar", "postergar"})


async def test_put_estado_tecnico_imposible_da_la_forma_unica(http, tokens, crear):
    pendiente_id = await crear("REGISTRADO")
    r = await http.put(
        url(pendiente_id, "/estado-tecnico?nuevoEstado=PENDIENTE_PPPoE_Y_VLAN"),
        headers=auth(tokens["coordinadora"]),
    )
    assert_forma_409(r, "REGISTRADO", {"asignar", "cancelar", "postergar"})


async def test_accion_rechazada_por_el_flujo_da_la_forma_unica(http, tokens, crear):
    pendiente_id = await crear("REGISTRADO")
    r = await http.post(url(pendiente_id, "/acciones/finalizar"), headers=auth(tokens["asesor"]), json={})
    # The validator's permissions move nothing out of REGISTRADO.
    assert_forma_409(r, "REGISTRADO", set())


async def test_pendiente_cerrado_da_la_forma_unica(http, tokens, crear, temporal_env):
    pendiente_id = await crear("FINALIZADO")
    handle = temporal_env.client.get_workflow_handle(workflow_id(pendiente_id))
    async with asyncio.timeout(20):
        while (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
            await asyncio.sleep(0.1)
    r = await http.put(
        url(pendiente_id, "/cancelar"), headers=auth(tokens["administrador"]), json={"motivo": "x"}
    )
    # FINALIZADO is terminal: nobody may do anything any more.
    assert_forma_409(r, "FINALIZADO", set())


async def test_asignar_sin_tecnico_nombra_tecnico_id(http, tokens, crear):
    pendiente_id = await crear("REGISTRADO")
    r = await http.post(url(pendiente_id, "/acciones/asignar"), headers=auth(tokens["coordinadora"]), json={})
    assert r.status_code == 422, r.text
    assert r.json()["data"]["campo"] == "tecnicoId"
    assert "tecnicoId" in r.json()["message"] and "tecnico_id" not in r.json()["message"]


async def test_asignar_a_un_empleado_que_no_es_tecnico_nombra_tecnico_id(http, tokens, crear, personas):
    pendiente_id = await crear("REGISTRADO")
    asesor = personas.actores["asesor"].empleado_id
    r = await http.put(
        url(pendiente_id, f"/asignar?idAsignado={asesor}"), headers=auth(tokens["coordinadora"])
    )
    assert r.status_code == 422, r.text
    assert r.json()["data"] == {"campo": "tecnicoId"}


async def test_un_rechazo_esperado_no_deja_traza_en_el_worker(http, tokens, crear, personas, caplog):
    pendiente_id = await crear("REGISTRADO")
    asesor = personas.actores["asesor"].empleado_id
    with caplog.at_level(logging.INFO):
        r = await http.put(
            url(pendiente_id, f"/asignar?idAsignado={asesor}"), headers=auth(tokens["coordinadora"])
        )
    assert r.status_code == 422, r.text
    alarmas = [x for x in caplog.records if x.levelno >= logging.WARNING or x.exc_info]
    assert alarmas == [], [x.getMessage() for x in alarmas]


@pytest.fixture(scope="session")
async def cliente_id(sessions, demo) -> int:
    async with sessions() as s:
        return await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000001"))


def cuerpo_de_creacion(cliente_id: int, **extra) -> dict:
    return {"clienteId": cliente_id, "tipo": "AVERIA", "lugar": "JULIACA", "prioridad": "MEDIA", **extra}


async def test_crear_con_un_campo_desconocido_da_422_que_lo_nombra(http, h, cliente_id):
    cabeceras = {**h["coordinadora"], "Idempotency-Key": str(uuid.uuid4())}
    r = await http.post("/api/pendientes", headers=cabeceras, json=cuerpo_de_creacion(cliente_id, foo=1))
    assert r.status_code == 422, r.text
    assert r.json()["data"]["campo"] == "foo"


async def test_crear_con_un_campo_ajeno_al_detalle_del_tipo_da_422(http, h, cliente_id):
    detalle = {"descripcionFalla": "sin señal", "lugarDestino": "PUNO"}  # a traslado's field on an averia
    cabeceras = {**h["coordinadora"], "Idempotency-Key": str(uuid.uuid4())}
    r = await http.post(
        "/api/pendientes", headers=cabeceras, json=cuerpo_de_creacion(cliente_id, detalle=detalle)
    )
    assert r.status_code == 422, r.text
    assert r.json()["data"]["campo"] == "detalle.lugarDestino"


async def test_crear_acepta_aun_el_asignado_que_el_original_ignoraba(http, h, cliente_id, personas):
    tecnico = personas.tecnicos[0].empleado_id
    cabeceras = {**h["coordinadora"], "Idempotency-Key": str(uuid.uuid4())}
    r = await http.post(
        "/api/pendientes", headers=cabeceras, json=cuerpo_de_creacion(cliente_id, asignadoAId=tecnico)
    )
    assert r.status_code == 201, r.text
    assert r.json()["data"]["estado"] == "REGISTRADO"
    assert r.json()["data"]["idEmpleadoAsignado"] is None


async def test_la_raiz_lleva_al_tablero(http):
    r = await http.get("/", follow_redirects=False)
    assert r.status_code == 307
    assert r.headers["location"] == "/tablero"


async def test_en_produccion_la_raiz_tambien_lleva_al_tablero(settings, temporal_env):
    """With the API docs off (production), a person opening the address still finds the board."""
    async with cliente(app_en(settings, temporal_env, environment="production")) as http:
        r = await http.get("/", follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (307, "/tablero")
        assert (await http.get("/docs")).status_code == 404
