"""Postgres and the workflow never disagree, even when the Temporal server dies between an activity's
commit and the end of its workflow task (the change is then in Postgres but lost by the workflow).

Deterministic: the pendiente's row is locked so the persistence activity is provably blocked inside its
transaction when the server is killed (-9); the lock is released only after the kill, so the commit
lands while nothing can record it. Clients send no Idempotency-Key, as a screen does.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError

from api.main import create_app
from contrato.mensajes import EstadoVivo
from db.engine import make_engine, make_session_factory
from db.migrate import upgrade
from infra.local import comando_temporal_dev, esperar_puerto
from infra.temporal import workflow_id
from ops.demo import PASSWORD_DEMO, cargar_referencia
from tests.conftest import create_database
from worker import build_worker

LIMA = ZoneInfo("America/Lima")
DNI = {"coordinadora": "10000002", "asesor": "10000003", "tecnico": "10000006"}


def _puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Servidor:
    """A dev server on its own port and database file that can be killed (-9) and started again."""

    def __init__(self, directorio) -> None:
        self.puerto = _puerto_libre()
        self.comando = comando_temporal_dev(self.puerto, None, directorio / "temporal.db")
        self.proceso: subprocess.Popen | None = None

    @property
    def direccion(self) -> str:
        return f"127.0.0.1:{self.puerto}"

    def arrancar(self) -> None:
        self.proceso = subprocess.Popen(self.comando, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        esperar_puerto(self.puerto, 30, self.proceso)

    def matar(self) -> None:
        os.kill(self.proceso.pid, signal.SIGKILL)
        self.proceso.wait(timeout=10)


class Escena:
    """The product wired to a killable server: the real worker and the real API over HTTP."""

    def __init__(self, servidor: Servidor, client: Client, http: httpx.AsyncClient, url_db: str) -> None:
        self.servidor, self.client, self.http, self.url_db = servidor, client, http, url_db
        self.h: dict[str, dict[str, str]] = {}

    async def entrar(self) -> None:
        for rol, dni in DNI.items():
            r = await self.http.post("/auth", json={"dni": dni, "password": PASSWORD_DEMO})
            assert r.status_code == 200, r.text
            self.h[rol] = {"Authorization": f"Bearer {r.json()['data']['token']}"}

    async def accion(
        self, pendiente_id: int, accion: str, rol: str, clave: str | None = None, **cuerpo
    ) -> httpx.Response:
        ruta = f"/api/pendientes/{pendiente_id}/acciones/{accion}"
        cabeceras = self.h[rol] | ({"Idempotency-Key": clave} if clave else {})
        return await self.http.post(ruta, json=cuerpo or None, headers=cabeceras)

    def fila(self, pendiente_id: int) -> tuple[str, int, bool]:
        with psycopg.connect(self.url_db) as conn:
            return conn.execute(
                "SELECT estado, seq, vigente FROM pendientes WHERE id = %s", (pendiente_id,)
            ).fetchone()

    def historial(self, pendiente_id: int) -> list[tuple[int, str, str]]:
        with psycopg.connect(self.url_db) as conn:
            return conn.execute(
                "SELECT seq, accion, estado FROM historiales WHERE pendiente_id = %s AND seq IS NOT NULL "
                "ORDER BY seq",
                (pendiente_id,),
            ).fetchall()

    async def flujo(self, pendiente_id: int) -> EstadoVivo:
        handle = self.client.get_workflow_handle(workflow_id(pendiente_id))
        return await handle.query("estado", result_type=EstadoVivo)


@pytest.fixture
async def escena(tmp_path, postgres_server_url, settings) -> AsyncIterator[Escena]:
    # Its own database as well as its own server: these pendientes' workflows live and die here only.
    url_db = create_database(postgres_server_url, "divergencia")
    upgrade(url_db)
    engine = make_engine(url_db)
    sessions = make_session_factory(engine)
    await cargar_referencia(sessions)
    servidor = Servidor(tmp_path)
    servidor.arrancar()
    cola = f"divergencia-{uuid.uuid4().hex[:6]}"
    # A short answer deadline: the test keeps Temporal down for longer than this.
    cambios = {"database_url": url_db, "temporal_task_queue": cola, "update_timeout_seconds": 3.0}
    client = await Client.connect(servidor.direccion, data_converter=pydantic_data_converter)
    app = create_app(settings.model_copy(update=cambios), temporal=client)
    try:
        async with build_worker(client, sessions, cola), app.router.lifespan_context(app):
            transporte = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transporte, base_url="http://pendientes.test") as http:
                escena = Escena(servidor, client, http, url_db)
                await escena.entrar()
                yield escena
    finally:
        if servidor.proceso.poll() is None:
            servidor.proceso.kill()
        await engine.dispose()


async def _en_progreso(escena: Escena) -> int:
    """A fresh AVERIA, assigned to the first demo technician and started: EN_PROGRESO at version 2."""
    manana = (datetime.now(LIMA) + timedelta(days=3)).replace(tzinfo=None).isoformat(timespec="seconds")
    with psycopg.connect(escena.url_db) as conn:
        cliente_id = conn.execute("SELECT id FROM clientes WHERE codigo_cliente = 'CLI000001'").fetchone()[0]
        tecnico = conn.execute(
            "SELECT empleado_id FROM usuarios WHERE dni = %s", (DNI["tecnico"],)
        ).fetchone()
    cuerpo = {
        "clienteId": cliente_id,
        "tipo": "AVERIA",
        "lugar": "PUNO",
        "prioridad": "URGENTE",
        "fechaPendiente": manana,
        "detalle": {"descripcionFalla": "sin señal"},
    }
    r = await escena.http.post("/api/pendientes", json=cuerpo, headers=escena.h["coordinadora"])
    assert r.status_code == 201, r.text
    pendiente_id = r.json()["data"]["id"]
    r = await escena.accion(pendiente_id, "asignar", "coordinadora", tecnicoId=tecnico[0])
    assert r.status_code == 200, r.text
    r = await escena.accion(pendiente_id, "comenzar", "tecnico")
    assert r.status_code == 200, r.text
    assert escena.fila(pendiente_id) == ("EN_PROGRESO", 2, True)
    return pendiente_id


async def _esperar_bloqueo(url_db: str, pid_bloqueador: int) -> None:
    """Until some session waits on the lock held by `pid_bloqueador` (the activity is in flight)."""
    for _ in range(200):
        with psycopg.connect(url_db) as conn:
            esperando = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
                (pid_bloqueador,),
            ).fetchone()[0]
        if esperando:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the persistence activity never reached the locked row")


async def _perder_un_cambio(
    escena: Escena, pendiente_id: int, accion: str, rol: str = "tecnico", **cuerpo
) -> httpx.Response:
    """Send `accion`, let its activity commit while the Temporal server is dead, answer the caller."""
    with psycopg.connect(escena.url_db) as bloqueo:
        bloqueo.execute("SELECT 1 FROM pendientes WHERE id = %s FOR UPDATE", (pendiente_id,))
        enviada = asyncio.create_task(escena.accion(pendiente_id, accion, rol, **cuerpo))
        await _esperar_bloqueo(escena.url_db, bloqueo.info.backend_pid)
        escena.servidor.matar()
        bloqueo.commit()  # the activity's transaction commits now, with no server to record it
    respuesta = await enviada
    return respuesta


async def _reiniciar(escena: Escena, pendiente_id: int) -> None:
    """Start the server again on its file and wait until the pendiente's workflow answers a query:
    the workflow task that was in flight at the kill must time out (10 s) before a worker replays it."""
    escena.servidor.arrancar()
    handle = escena.client.get_workflow_handle(workflow_id(pendiente_id))
    limite = asyncio.get_running_loop().time() + 60
    while True:
        try:
            await handle.query("estado", result_type=EstadoVivo, rpc_timeout=timedelta(seconds=5))
            return
        except (RPCError, WorkflowQueryFailedError):
            if asyncio.get_running_loop().time() > limite:
                raise AssertionError("the restarted server never gave the workflow to a worker") from None
            await asyncio.sleep(0.2)


async def _comprometido_despues_del_corte(escena: Escena, pendiente_id: int) -> None:
    """The lost change is in Postgres (PAUSADO v3) and the workflow, restarted, does not have it."""
    assert escena.fila(pendiente_id) == ("PAUSADO", 3, True)
    assert escena.historial(pendiente_id)[-1] == (3, "pausar", "PAUSADO")


async def test_pausar_perdido_y_terminar_sin_clave_quedan_iguales_en_postgres_y_el_flujo(escena):
    pendiente_id = await _en_progreso(escena)

    respuesta = await _perder_un_cambio(escena, pendiente_id, "pausar", motivo="almuerzo")

    # The caller is not told "not applied": it gets a key to learn the outcome.
    assert respuesta.status_code == 503, respuesta.text
    clave = respuesta.json()["data"]["idempotencyKey"]
    assert respuesta.json()["data"]["resultado"] == f"/api/pendientes/{pendiente_id}/cambios/{clave}"
    await _comprometido_despues_del_corte(escena, pendiente_id)
    await _reiniciar(escena, pendiente_id)

    r = await escena.http.get(f"/api/pendientes/{pendiente_id}/cambios/{clave}", headers=escena.h["tecnico"])
    assert r.status_code == 200, r.text
    assert r.json()["data"] | {"fecha": None} == {
        "idempotencyKey": clave,
        "resultado": "APLICADA",
        "accion": "pausar",
        "version": 3,
        "estado": "PAUSADO",
        "estadoTecnico": "OK",
        "fecha": None,
    }

    # A different action, no key: applied on top of what Postgres committed, not on the stale state.
    r = await escena.accion(pendiente_id, "terminar", "tecnico")
    assert r.status_code == 200, r.text
    assert r.json()["data"]["estado"] == "POR_VALIDAR"
    assert escena.fila(pendiente_id) == ("POR_VALIDAR", 4, True)
    vivo = await escena.flujo(pendiente_id)
    assert (vivo.estado, vivo.seq) == ("POR_VALIDAR", 4)

    r = await escena.accion(pendiente_id, "finalizar", "asesor")
    assert r.status_code == 200, r.text
    assert escena.fila(pendiente_id) == ("FINALIZADO", 5, True)
    assert escena.historial(pendiente_id) == [
        (0, "crear", "REGISTRADO"),
        (1, "asignar", "ASIGNADO"),
        (2, "comenzar", "EN_PROGRESO"),
        (3, "pausar", "PAUSADO"),
        (4, "terminar", "POR_VALIDAR"),
        (5, "finalizar", "FINALIZADO"),
    ]


async def test_una_accion_que_el_flujo_atrasado_rechazaria_se_aplica_sobre_lo_comprometido(escena):
    pendiente_id = await _en_progreso(escena)
    respuesta = await _perder_un_cambio(escena, pendiente_id, "pausar", motivo="almuerzo")
    assert respuesta.status_code == 503, respuesta.text
    await _comprometido_despues_del_corte(escena, pendiente_id)
    await _reiniciar(escena, pendiente_id)

    # The workflow still believes EN_PROGRESO, where `continuar` is not allowed; Postgres says PAUSADO.
    r = await escena.accion(pendiente_id, "continuar", "tecnico")
    assert r.status_code == 200, r.text
    assert escena.fila(pendiente_id) == ("EN_PROGRESO", 4, True)
    vivo = await escena.flujo(pendiente_id)
    assert (vivo.estado, vivo.seq) == ("EN_PROGRESO", 4)
    assert [fila[1] for fila in escena.historial(pendiente_id)] == [
        "crear",
        "asignar",
        "comenzar",
        "pausar",
        "continuar",
    ]


async def test_reintentar_el_cambio_perdido_con_su_clave_lo_confirma_una_sola_vez(escena):
    pendiente_id = await _en_progreso(escena)
    respuesta = await _perder_un_cambio(escena, pendiente_id, "pausar", motivo="almuerzo")
    assert respuesta.status_code == 503, respuesta.text
    clave = respuesta.json()["data"]["idempotencyKey"]
    await _reiniciar(escena, pendiente_id)

    ruta = f"/api/pendientes/{pendiente_id}/acciones/pausar"
    cabeceras = escena.h["tecnico"] | {"Idempotency-Key": clave}
    r = await escena.http.post(ruta, json={"motivo": "almuerzo"}, headers=cabeceras)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["estado"] == "PAUSADO"
    assert escena.fila(pendiente_id) == ("PAUSADO", 3, True)
    assert (await escena.flujo(pendiente_id)).seq == 3
    assert [fila[1] for fila in escena.historial(pendiente_id)].count("pausar") == 1

    # The same key for another request is a reuse, not a retry: refused, nothing applied.
    ruta = f"/api/pendientes/{pendiente_id}/acciones/continuar"
    r = await escena.http.post(ruta, headers=cabeceras)
    assert r.status_code == 422, r.text
    assert r.json()["data"]["campo"] == "Idempotency-Key"
    assert escena.fila(pendiente_id) == ("PAUSADO", 3, True)


async def test_una_eliminacion_tras_un_cambio_perdido_termina_el_flujo_y_la_fila(escena):
    pendiente_id = await _en_progreso(escena)
    # The lost change here is `reasignar` (back to REGISTRADO, which may be deleted).
    respuesta = await _perder_un_cambio(escena, pendiente_id, "reasignar")
    assert respuesta.status_code == 503, respuesta.text
    assert escena.fila(pendiente_id) == ("REGISTRADO", 3, True)
    await _reiniciar(escena, pendiente_id)

    r = await escena.http.delete(f"/api/pendientes/{pendiente_id}", headers=escena.h["coordinadora"])
    assert r.status_code == 200, r.text
    assert escena.fila(pendiente_id) == ("REGISTRADO", 4, False)
    handle = escena.client.get_workflow_handle(workflow_id(pendiente_id))
    assert (await handle.describe()).status.name == "COMPLETED"


async def test_una_postergacion_perdida_cuya_fecha_ya_paso_se_confirma_al_reintentar(escena):
    """The lost change is a postponement a few seconds ahead; by the time the client retries it with its
    key the date has passed, so the workflow (which never saw it) would refuse it as a date in the past.
    Postgres has it: the retry is answered as applied, once."""
    pendiente_id = await _en_progreso(escena)
    r = await escena.accion(pendiente_id, "pausar", "tecnico", motivo="espera de materiales")
    assert r.status_code == 200, r.text
    fecha = datetime.now(LIMA) + timedelta(seconds=4)
    cuerpo = {"nuevaFecha": fecha.isoformat(), "motivo": "cliente ausente"}
    respuesta = await _perder_un_cambio(
        escena, pendiente_id, "postergar", "coordinadora", clave="post-1", **cuerpo
    )
    assert respuesta.status_code == 503, respuesta.text
    assert escena.historial(pendiente_id)[-1] == (4, "postergar", "POSTERGADO")
    while datetime.now(LIMA) <= fecha:
        await asyncio.sleep(0.2)
    await _reiniciar(escena, pendiente_id)

    r = await escena.accion(pendiente_id, "postergar", "coordinadora", clave="post-1", **cuerpo)
    assert r.status_code == 200, r.text
    assert [fila[1] for fila in escena.historial(pendiente_id)].count("postergar") == 1
    # The workflow caught up; its own timer then brings the pendiente back (the date has passed).
    for _ in range(100):
        estado, seq, _vigente = escena.fila(pendiente_id)
        vivo = await escena.flujo(pendiente_id)
        if (estado, seq) == ("ASIGNADO", 5) and (vivo.estado, vivo.seq) == ("ASIGNADO", 5):
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError(f"row {escena.fila(pendiente_id)} and workflow {vivo} never met at ASIGNADO v5")
    assert escena.historial(pendiente_id)[-1] == (5, "reactivar", "ASIGNADO")
