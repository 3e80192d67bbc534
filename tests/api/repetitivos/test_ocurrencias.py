"""Each occurrence of a template creates exactly one ordinary pendiente, linked back to its template,
with the template's data and technician; pausing stops occurrences; deleting keeps what was created."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta

import pytest
from temporalio.client import ScheduleBackfill, ScheduleOverlapPolicy
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import ActivityEnvironment

from activities.repetitivos import Repetitivos
from contrato.repetitivos import Ocurrencia, ResultadoOcurrencia
from tests.api.repetitivos.conftest import LIMA, ahora, esperar, regla_diaria
from tests.conftest import TASK_QUEUE


async def test_un_disparo_crea_un_pendiente_con_los_datos_de_la_plantilla(
    http, h, personas, cliente_propio, plantilla, programa, pendientes_de
):
    cliente = await cliente_propio()
    tecnico = personas.tecnicos[0].empleado_id
    rep = await plantilla(
        cliente,
        tipo="TRASLADO",
        prioridad="URGENTE",
        lugar="PUNO",
        empresa="SIMAX",
        direccion="Jr. Arequipa 880, Puno",
        detalle={"lugarDestino": "JULIACA", "direccionDestino": "Av. Huancané 12"},
        tecnicoId=tecnico,
    )
    antes = ahora()
    await programa(rep["id"]).trigger()

    async def asignados() -> list[dict]:
        # The occurrence creates the pendiente, then assigns it: wait for the whole occurrence.
        lista = await pendientes_de(rep["id"])
        return lista if lista and all(x["estado"] == "ASIGNADO" for x in lista) else []

    creados = await esperar(asignados)
    assert len(creados) == 1
    p = creados[0]
    assert p["repetitivoId"] == rep["id"]
    assert (p["tipo"], p["idCliente"], p["prioridad"], p["lugar"]) == ("TRASLADO", cliente, "URGENTE", "PUNO")
    assert (p["empresa"], p["direccion"]) == ("SIMAX", "Jr. Arequipa 880, Puno")
    # A trigger's planned instant is the moment it was triggered: the work is for then.
    fecha = datetime.fromisoformat(p["fechaPendiente"])
    assert antes - timedelta(seconds=5) <= fecha <= ahora()
    assert p["estado"] == "ASIGNADO" and p["idEmpleadoAsignado"] == tecnico
    r = await http.get(f"/api/pendientes/{p['id']}", headers=h["coordinadora"])
    assert r.status_code == 200 and r.json()["data"]["repetitivoId"] == rep["id"]
    r = await http.get(f"/api/pendientes/{p['id']}/traslado", headers=h["coordinadora"])
    assert r.status_code == 200, r.text
    destino = r.json()["data"]
    assert (destino["lugarDestino"], destino["direccionDestino"]) == ("JULIACA", "Av. Huancané 12")
    # Its own workflow and history: created and assigned by the system on behalf of the template.
    r = await http.get(f"/api/historiales/pendiente/{p['id']}", headers=h["coordinadora"])
    historial = r.json()["data"]
    assert [e["accion"] for e in historial] == ["crear", "asignar"]
    assert all(str(rep["id"]) in e["empleadoNombre"] for e in historial)


async def test_la_misma_ocurrencia_dos_veces_crea_un_solo_pendiente(
    app, sessions, temporal_env, cliente_propio, plantilla, pendientes_de
):
    rep = await plantilla(await cliente_propio())
    actividad = Repetitivos(sessions, temporal_env.client, TASK_QUEUE)
    instante = datetime.combine(ahora().date() + timedelta(days=3), time(9), LIMA)
    ocurrencia = Ocurrencia(repetitivo_id=rep["id"], programada=instante)
    entorno = ActivityEnvironment()
    primero = await entorno.run(actividad.crear_ocurrencia, ocurrencia)
    # A retry after a lost answer, and two attempts at once (the scheduler and a manual run).
    segundo = await entorno.run(actividad.crear_ocurrencia, ocurrencia)
    juntos = await asyncio.gather(
        entorno.run(actividad.crear_ocurrencia, ocurrencia),
        entorno.run(actividad.crear_ocurrencia, ocurrencia),
    )
    assert {r.pendiente_id for r in (primero, segundo, *juntos)} == {primero.pendiente_id}
    creados = await pendientes_de(rep["id"])
    assert [p["id"] for p in creados] == [primero.pendiente_id]
    assert datetime.fromisoformat(creados[0]["fechaPendiente"]) == instante
    # Another instant is another occurrence.
    otra = await entorno.run(
        actividad.crear_ocurrencia,
        Ocurrencia(repetitivo_id=rep["id"], programada=instante + timedelta(days=1)),
    )
    assert otra.pendiente_id != primero.pendiente_id
    assert len(await pendientes_de(rep["id"])) == 2


async def test_rellenar_dos_veces_la_misma_ventana_crea_un_pendiente_por_ocurrencia(
    temporal_env, cliente_propio, plantilla, programa, pendientes_de
):
    hoy = ahora().date()
    regla = regla_diaria(hora="06:30", fechaInicio=(hoy - timedelta(days=5)).isoformat())
    rep = await plantilla(await cliente_propio(), regla=regla)
    # Two past occurrences: three and two days ago at 06:30 Lima.
    primera = datetime.combine(hoy - timedelta(days=3), time(6, 30), LIMA)
    ventana = ScheduleBackfill(
        start_at=primera - timedelta(minutes=1),
        end_at=primera + timedelta(days=1, minutes=1),
        overlap=ScheduleOverlapPolicy.ALLOW_ALL,
    )
    handle = programa(rep["id"])
    await handle.backfill(ventana)
    primeras = await _resultados(handle, temporal_env, 2)
    await handle.backfill(ventana)
    todas = await _resultados(handle, temporal_env, 4)
    # The second backfill ran the same two instants again (new runs), and they found the same pendientes.
    assert [r.pendiente_id for r in todas[2:]] == [r.pendiente_id for r in primeras]
    assert all(r.desenlace == "CREADO" for r in todas)
    creados = await pendientes_de(rep["id"])
    fechas = sorted(datetime.fromisoformat(p["fechaPendiente"]) for p in creados)
    assert fechas == [primera, primera + timedelta(days=1)]


async def test_pausado_no_crea_pendientes_y_reanudado_vuelve_a_crear(
    http, h, cliente_propio, plantilla, programa, pendientes_de
):
    rep = await plantilla(await cliente_propio())
    url = f"/api/repetitivos/{rep['id']}"
    r = await http.post(f"{url}/pausar", json={"nota": "cliente de vacaciones"}, headers=h["coordinadora"])
    assert r.status_code == 200, r.text
    assert r.json()["data"]["pausado"] is True and r.json()["data"]["nota"] == "cliente de vacaciones"
    descripcion = await programa(rep["id"]).describe()
    assert descripcion.schedule.state.paused and descripcion.schedule.state.note == "cliente de vacaciones"
    r = await http.get(url, headers=h["coordinadora"])
    assert r.json()["data"]["proximas"] == []
    # Pausing again answers the same (a retry after a lost answer).
    r = await http.post(f"{url}/pausar", headers=h["coordinadora"])
    assert r.status_code == 200 and r.json()["data"]["pausado"] is True
    # Even a manual run of the paused Schedule creates nothing.
    handle = programa(rep["id"])
    await handle.trigger()

    async def omitida():
        info = (await handle.describe()).info
        return info.recent_actions and not info.running_actions

    await esperar(omitida)
    assert await pendientes_de(rep["id"]) == []

    r = await http.post(f"{url}/reanudar", json={"nota": "vuelve"}, headers=h["coordinadora"])
    assert r.status_code == 200 and r.json()["data"]["pausado"] is False
    assert not (await handle.describe()).schedule.state.paused
    r = await http.get(url, headers=h["coordinadora"])
    assert len(r.json()["data"]["proximas"]) == 5
    await handle.trigger()
    assert len(await esperar(lambda: pendientes_de(rep["id"]))) == 1


async def test_eliminar_borra_el_programa_y_deja_los_pendientes(
    http, h, cliente_propio, plantilla, programa, pendientes_de
):
    rep = await plantilla(await cliente_propio())
    await programa(rep["id"]).trigger()
    (creado,) = await esperar(lambda: pendientes_de(rep["id"]))
    r = await http.delete(f"/api/repetitivos/{rep['id']}", headers=h["coordinadora"])
    assert r.status_code == 200, r.text
    assert (await http.get(f"/api/repetitivos/{rep['id']}", headers=h["coordinadora"])).status_code == 404
    with pytest.raises(RPCError) as error:
        await programa(rep["id"]).describe()
    assert error.value.status is RPCStatusCode.NOT_FOUND
    r = await http.get(f"/api/pendientes/{creado['id']}", headers=h["coordinadora"])
    assert r.status_code == 200
    despues = r.json()["data"]
    assert despues["repetitivoId"] == rep["id"]
    assert (despues["estado"], despues["version"]) == (creado["estado"], creado["version"])
    assert [p["id"] for p in await pendientes_de(rep["id"])] == [creado["id"]]


async def test_un_tecnico_que_ya_no_puede_trabajar_deja_el_pendiente_sin_asignar(
    http, h, cuenta, sessions, cliente_propio, plantilla, programa, pendientes_de
):
    from sqlalchemy import update

    from db import models as m

    # A technician of their own, then made unable to work (their user deactivated).
    tecnico = await cuenta("EJECUTAR_TRABAJO", "VER_DETALLE")
    r = await http.get("/api/usuarios/usuario", headers=tecnico)
    usuario = r.json()["data"]
    rep = await plantilla(await cliente_propio(), tecnicoId=usuario["empleado"]["id"])
    async with sessions.begin() as s:
        await s.execute(update(m.Usuario).where(m.Usuario.id == usuario["id"]).values(vigente=False))
    await programa(rep["id"]).trigger()
    (creado,) = await esperar(lambda: pendientes_de(rep["id"]))
    assert creado["estado"] == "REGISTRADO" and creado["idEmpleadoAsignado"] is None


async def _resultados(handle, temporal_env, n: int) -> list[ResultadoOcurrencia]:
    """The results of the Schedule's first `n` runs, in start order, once each has finished."""

    async def iniciadas():
        acciones = (await handle.describe()).info.recent_actions
        return acciones if len(acciones) >= n else None

    acciones = sorted((await esperar(iniciadas))[:n], key=lambda a: a.started_at)
    return [
        await temporal_env.client.get_workflow_handle(
            a.action.workflow_id, run_id=a.action.first_execution_run_id, result_type=ResultadoOcurrencia
        ).result()
        for a in acciones
    ]
