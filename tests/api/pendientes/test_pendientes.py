"""Creating and reading pendientes through HTTP, with the real workflow, worker and Postgres."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from temporalio.client import WorkflowExecutionStatus

from api.pendientes.comandos import huella
from api.pendientes.esquemas import CrearPendienteRequest
from contrato.mensajes import ActorMsg, DatosPendiente
from db import models as m
from infra.temporal import workflow_id
from tests.conftest import auth
from workflows import busqueda
from workflows.pendiente import PendienteWorkflow

# Two weeks ahead in Lima, fixed once per run: far from any day boundary, so the pendiente cannot
# become overdue (an extra historial row) while the suite runs, at whatever date and hour it runs.
DIA = (datetime.now(ZoneInfo("America/Lima")) + timedelta(days=14)).date()


@pytest.fixture(scope="session")
async def cliente_id(sessions, demo) -> int:
    async with sessions() as s:
        return await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000001"))


def cuerpo(cliente_id: int, **extra) -> dict:
    base = {
        "clienteId": cliente_id,
        "tipo": "TRASLADO",
        "lugar": "PUNO",
        "prioridad": "URGENTE",
        "empresa": "SIMAX",
        "direccion": "Jr. Lima 245, Puno",
        "fechaPendiente": f"{DIA}T09:30:00",
        "detalle": {
            "lugarDestino": "JULIACA",
            "direccionDestino": "Jr. Mariano Núñez 530",
            "tipoServicio": "INTERNET_FIBRA",
        },
    }
    return base | extra


async def contar(sessions, modelo, **filtros) -> int:
    async with sessions() as s:
        condiciones = [getattr(modelo, k) == v for k, v in filtros.items()]
        return await s.scalar(select(func.count()).select_from(modelo).where(*condiciones))


async def _usuario(sessions, dni: str) -> m.Usuario:
    async with sessions() as s:
        return await s.scalar(select(m.Usuario).where(m.Usuario.dni == dni))


def _hash(body: dict) -> str:
    """The fingerprint the API computes for this body."""
    return huella(CrearPendienteRequest.model_validate(body).model_dump(mode="json"))


async def test_crear_arranca_el_flujo_con_atributos_de_busqueda(
    http, tokens, cliente_id, temporal_env, sessions
):
    r = await http.post("/api/pendientes", json=cuerpo(cliente_id), headers=auth(tokens["coordinadora"]))

    assert r.status_code == 201, r.text
    sobre = r.json()
    assert sobre["success"] is True and sobre["code"] == 201
    data = sobre["data"]
    assert data["estado"] == "REGISTRADO" and data["estadoTecnico"] == "OK"
    assert data["cliente"] == "Teodoro Huaman Quispe" and data["codCliente"] == "CLI000001"
    assert data["registradoPor"] == "Carmen Condori"
    assert data["fechaPendiente"] == f"{DIA}T09:30:00-05:00"

    handle = temporal_env.client.get_workflow_handle(workflow_id(data["id"]))
    descripcion = await handle.describe()
    assert descripcion.status is WorkflowExecutionStatus.RUNNING
    atributos = descripcion.typed_search_attributes
    assert atributos.get(busqueda.ESTADO) == "REGISTRADO"
    assert atributos.get(busqueda.TIPO) == "TRASLADO"
    assert atributos.get(busqueda.LUGAR) == "PUNO"
    assert atributos.get(busqueda.CLIENTE_ID) == cliente_id
    assert atributos.get(busqueda.VENCIDO) is False
    vivo = await handle.query(PendienteWorkflow.estado)
    assert vivo.estado == "REGISTRADO" and vivo.tiene_detalle

    leido = await http.get(f"/api/pendientes/{data['id']}", headers=auth(tokens["asesor"]))
    assert leido.status_code == 200
    assert leido.json()["data"] == data
    assert await contar(sessions, m.Historial, pendiente_id=data["id"], accion="crear") == 1
    assert await contar(sessions, m.PendienteTraslado, pendiente_id=data["id"]) == 1


async def test_los_flujos_se_filtran_por_atributos_en_temporal(http, tokens, cliente_id, temporal_env):
    r = await http.post(
        "/api/pendientes", json=cuerpo(cliente_id, lugar="DESAGUADERO"), headers=auth(tokens["coordinadora"])
    )
    pendiente_id = r.json()["data"]["id"]
    consulta = f'Lugar = "DESAGUADERO" AND Estado = "REGISTRADO" AND ClienteId = {cliente_id}'
    encontrados: list[str] = []
    for _ in range(50):  # visibility is eventually consistent
        encontrados = [w.id async for w in temporal_env.client.list_workflows(consulta)]
        if workflow_id(pendiente_id) in encontrados:
            break
        await asyncio.sleep(0.1)
    assert workflow_id(pendiente_id) in encontrados


async def test_reintento_con_la_misma_clave_no_duplica(http, tokens, cliente_id, sessions):
    cabeceras = {"Idempotency-Key": f"k-{uuid.uuid4()}"} | auth(tokens["coordinadora"])
    primero = await http.post("/api/pendientes", json=cuerpo(cliente_id), headers=cabeceras)
    segundo = await http.post("/api/pendientes", json=cuerpo(cliente_id), headers=cabeceras)

    assert primero.status_code == segundo.status_code == 201
    pendiente_id = primero.json()["data"]["id"]
    assert segundo.json()["data"]["id"] == pendiente_id
    assert await contar(sessions, m.Pendiente, id=pendiente_id) == 1
    assert await contar(sessions, m.Historial, pendiente_id=pendiente_id) == 1


async def test_la_misma_clave_con_otro_cuerpo_es_rechazada(http, tokens, cliente_id):
    cabeceras = {"Idempotency-Key": f"k-{uuid.uuid4()}"} | auth(tokens["coordinadora"])
    await http.post("/api/pendientes", json=cuerpo(cliente_id), headers=cabeceras)
    otro = await http.post("/api/pendientes", json=cuerpo(cliente_id, prioridad="BAJA"), headers=cabeceras)

    assert otro.status_code == 422
    assert otro.json()["data"]["campo"] == "Idempotency-Key"


async def test_api_caida_tras_reservar_el_id(app, http, tokens, cliente_id, sessions, temporal_env):
    """The API reserved the id and died before starting the workflow: the retry finishes the job."""
    clave = f"k-{uuid.uuid4()}"
    body = cuerpo(cliente_id)
    coordinadora = await _usuario(sessions, "10000002")
    reservado = await app.state.comandos.reservar_id(coordinadora.id, clave, _hash(body))
    assert await contar(sessions, m.Pendiente, id=reservado) == 0

    cabeceras = {"Idempotency-Key": clave} | auth(tokens["coordinadora"])
    r = await http.post("/api/pendientes", json=body, headers=cabeceras)

    assert r.status_code == 201
    assert r.json()["data"]["id"] == reservado
    assert await contar(sessions, m.Pendiente, id=reservado) == 1
    descripcion = await temporal_env.client.get_workflow_handle(workflow_id(reservado)).describe()
    assert descripcion.status is WorkflowExecutionStatus.RUNNING


async def test_api_caida_tras_arrancar_el_flujo(
    app, http, tokens, cliente_id, sessions, temporal_env, settings
):
    """The workflow was started but the API died before answering: the retry returns the same pendiente."""
    clave = f"k-{uuid.uuid4()}"
    body = cuerpo(cliente_id, tipo="INSTALACION_CAMARAS", detalle=None)
    coordinadora = await _usuario(sessions, "10000002")
    reservado = await app.state.comandos.reservar_id(coordinadora.id, clave, _hash(body))
    datos = DatosPendiente(
        cliente_id=cliente_id,
        registrado_por=coordinadora.empleado_id,
        tipo="INSTALACION_CAMARAS",
        lugar="PUNO",
        prioridad="URGENTE",
        detalle={},
    )
    actor = ActorMsg(
        usuario_id=coordinadora.id, empleado_id=coordinadora.empleado_id, nombre=coordinadora.nombre
    )
    inicio = await app.state.comandos.inicio(reservado, datos, actor)
    handle = await temporal_env.client.start_workflow(
        PendienteWorkflow.run, inicio, id=workflow_id(reservado), task_queue=settings.temporal_task_queue
    )

    cabeceras = {"Idempotency-Key": clave} | auth(tokens["coordinadora"])
    r = await http.post("/api/pendientes", json=body, headers=cabeceras)

    assert r.status_code == 201, r.text
    assert r.json()["data"]["id"] == reservado
    assert await contar(sessions, m.Pendiente, id=reservado) == 1
    assert await contar(sessions, m.Historial, pendiente_id=reservado) == 1
    assert (await handle.describe()).run_id == handle.result_run_id


async def test_id_desconocido_da_404_en_el_sobre(http, tokens):
    r = await http.get("/api/pendientes/987654321", headers=auth(tokens["coordinadora"]))
    assert r.status_code == 404
    assert r.json() == {
        "success": False,
        "code": 404,
        "message": "pendiente 987654321 no encontrado",
        "data": {"id": 987654321},
    }


@pytest.mark.parametrize(
    ("cambio", "campo"),
    [
        ({"tipo": "REPARACION"}, "tipo"),
        ({"lugar": None}, "lugar"),
        ({"clienteId": "uno"}, "clienteId"),
        ({"clienteId": 2**63}, "clienteId"),
        ({"fechaPendiente": "mañana"}, "fechaPendiente"),
        ({"detalle": {"direccionDestino": "sin lugar de destino"}}, "detalle.lugarDestino"),
        ({"estado": "FINALIZADO"}, "estado"),
        ({"estadoTecnico": "PENDIENTE_VLAN"}, "estadoTecnico"),
    ],
)
async def test_cuerpo_invalido_da_422_nombrando_el_campo(http, tokens, cliente_id, sessions, cambio, campo):
    antes = await contar(sessions, m.Pendiente)
    r = await http.post(
        "/api/pendientes", json=cuerpo(cliente_id, **cambio), headers=auth(tokens["coordinadora"])
    )

    assert r.status_code == 422, r.text
    assert r.json()["code"] == 422
    assert r.json()["data"]["campo"] == campo
    assert await contar(sessions, m.Pendiente) == antes


@pytest.mark.parametrize(
    "ruta", ["/api/pendientes/0", "/api/pendientes/99999999999999999999", "/api/pendientes/x"]
)
async def test_id_fuera_de_rango_da_422(http, tokens, ruta):
    r = await http.get(ruta, headers=auth(tokens["coordinadora"]))
    assert r.status_code == 422
    assert r.json()["data"]["campo"] == "id"


async def test_json_malformado_da_422(http, tokens):
    cabeceras = {"content-type": "application/json"} | auth(tokens["coordinadora"])
    r = await http.post("/api/pendientes", content=b'{"clienteId": 1,', headers=cabeceras)
    assert r.status_code == 422
    assert r.json()["success"] is False


async def test_cliente_desconocido_da_404(http, tokens):
    r = await http.post("/api/pendientes", json=cuerpo(999999), headers=auth(tokens["coordinadora"]))
    assert r.status_code == 404
    assert r.json()["data"]["campo"] == "clienteId"


@pytest.mark.parametrize("cabecera", [None, "Bearer no-es-un-token", "Basic abc"])
async def test_sin_token_valido_da_401(http, cliente_id, cabecera):
    headers = {"Authorization": cabecera} if cabecera else {}
    for r in (
        await http.post("/api/pendientes", json=cuerpo(cliente_id), headers=headers),
        await http.get("/api/pendientes/1", headers=headers),
    ):
        assert r.status_code == 401
        assert r.json()["success"] is False and r.json()["code"] == 401


async def test_crear_requiere_registrar_pendiente(http, tokens, cliente_id):
    r = await http.post("/api/pendientes", json=cuerpo(cliente_id), headers=auth(tokens["tecnico"]))
    assert r.status_code == 403
    assert "REGISTRAR_PENDIENTE" in r.json()["message"]


async def test_un_tecnico_no_ve_pendientes_ajenos(http, tokens, cliente_id):
    r = await http.post("/api/pendientes", json=cuerpo(cliente_id), headers=auth(tokens["coordinadora"]))
    pendiente_id = r.json()["data"]["id"]

    ajeno = await http.get(f"/api/pendientes/{pendiente_id}", headers=auth(tokens["tecnico"]))

    assert ajeno.status_code == 403
    assert "cliente" not in (ajeno.json()["data"] or {})
