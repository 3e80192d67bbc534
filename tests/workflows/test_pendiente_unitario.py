"""PendienteWorkflow alone: its activities replaced BY NAME (the contract's names) with fakes that keep
what they were asked in memory. No Postgres; the time-skipping test server, in the workflow sandbox.

What a user depends on here: a pendiente goes through its life with the right state at each step; a
refused action changes nothing and writes nothing; each action's effect reaches what is persisted (the
technician, the new date, the cleared overdue flag, the cancellation instant); a workflow that finds
Postgres ahead adopts the committed record and re-checks the action against it; ops can ask a running
pendiente which actions it allows with no input at all.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from contrato import nombres
from contrato.mensajes import (
    AccionesDisponibles,
    ActorMsg,
    Cambio,
    DatosPendiente,
    Detalle,
    Edicion,
    EstadoVivo,
    InicioPendiente,
    OrdenAccion,
    OrdenDetalle,
    OrdenEdicion,
    ResultadoCambio,
)
from domain.permisos import Permiso
from workflows.pendiente import PendienteWorkflow

TECNICO_ID = 41
COORDINADORA = ActorMsg(
    usuario_id=1,
    empleado_id=10,
    nombre="coordinadora",
    permisos=frozenset(
        {
            Permiso.REGISTRAR_PENDIENTE,
            Permiso.ASIGNAR_TECNICO,
            Permiso.POSTERGAR_PENDIENTE,
            Permiso.CANCELAR_PENDIENTE,
        }
    ),
)
TECNICO = ActorMsg(
    usuario_id=2, empleado_id=TECNICO_ID, nombre="técnico", permisos=frozenset({Permiso.EJECUTAR_TRABAJO})
)
VALIDADOR = ActorMsg(
    usuario_id=3, empleado_id=30, nombre="asesor", permisos=frozenset({Permiso.FINALIZAR_PENDIENTE})
)
DATOS = DatosPendiente(
    cliente_id=5,
    registrado_por=10,
    tipo="RECOJO_DISPOSITIVOS",
    lugar="JULI",
    prioridad="MEDIA",
    detalle={"dispositivo": "DECO"},
)


class Persistencia:
    """The four persistence activities, by their contract names, writing into lists. `adelantos` are the
    committed records `aplicar_cambio` answers first (Postgres ahead), one per call, before writing."""

    def __init__(self) -> None:
        self.cambios: list[Cambio] = []
        self.adelantos: list[ResultadoCambio] = []

    @activity.defn(name=nombres.REGISTRAR_PENDIENTE)
    async def registrar_pendiente(self, inicio: InicioPendiente) -> EstadoVivo:
        return EstadoVivo(
            pendiente_id=inicio.pendiente_id,
            tipo=inicio.datos.tipo,
            fecha_pendiente=inicio.datos.fecha_pendiente,
            tiene_detalle=inicio.datos.detalle is not None,
        )

    @activity.defn(name=nombres.APLICAR_CAMBIO)
    async def aplicar_cambio(self, cambio: Cambio) -> ResultadoCambio:
        self.cambios.append(cambio)
        if self.adelantos:
            return self.adelantos.pop(0)
        return ResultadoCambio(aplicado=True)

    @activity.defn(name=nombres.CARGAR_ACTOR)
    async def cargar_actor(self, usuario_id: int) -> ActorMsg | None:
        return next((a for a in (COORDINADORA, TECNICO, VALIDADOR) if a.usuario_id == usuario_id), None)

    @activity.defn(name=nombres.LEER_COMPROMETIDO)
    async def leer_comprometido(self, pendiente_id: int) -> ResultadoCambio:
        raise ApplicationError("not used by these tests", non_retryable=True)


@pytest.fixture
async def flujo(entorno):
    """A worker on a queue of its own with fresh fakes; `nuevo(...)` starts a pendiente on it."""
    persistencia = Persistencia()
    cola = f"unitario-{uuid.uuid4().hex[:8]}"
    worker = Worker(
        entorno.client,
        task_queue=cola,
        workflows=[PendienteWorkflow],
        activities=[
            persistencia.registrar_pendiente,
            persistencia.aplicar_cambio,
            persistencia.cargar_actor,
            persistencia.leer_comprometido,
        ],
    )

    async def nuevo(vivo: EstadoVivo | None = None):
        pendiente_id = uuid.uuid4().int % 10**9
        if vivo is not None:
            vivo = vivo.model_copy(update={"pendiente_id": pendiente_id})
        inicio = InicioPendiente(pendiente_id=pendiente_id, datos=DATOS, actor=COORDINADORA, vivo=vivo)
        handle = await entorno.client.start_workflow(
            PendienteWorkflow.run, inicio, id=f"unitario-{pendiente_id}", task_queue=cola
        )
        if vivo is None:
            await handle.execute_update(PendienteWorkflow.registrar)
        return handle

    async with worker:
        yield nuevo, persistencia


async def _accion(handle, accion: str, orden: OrdenAccion) -> EstadoVivo:
    return await handle.execute_update(accion, orden, result_type=EstadoVivo)


async def _estado(handle) -> EstadoVivo:
    return await handle.query(nombres.ESTADO, result_type=EstadoVivo)


def _tipo_de_rechazo(error: WorkflowUpdateFailedError) -> str:
    causa = error.cause
    assert isinstance(causa, ApplicationError)
    return causa.type


async def test_ciclo_de_vida_hasta_finalizar(flujo):
    nuevo, persistencia = flujo
    handle = await nuevo()
    assert (await _estado(handle)).estado == "REGISTRADO"

    pasos = [
        ("asignar", COORDINADORA, {"tecnico_id": TECNICO_ID}, "ASIGNADO"),
        ("comenzar", TECNICO, {}, "EN_PROGRESO"),
        ("pausar", TECNICO, {}, "PAUSADO"),
        ("continuar", TECNICO, {}, "EN_PROGRESO"),
        ("terminar", TECNICO, {}, "POR_VALIDAR"),
        ("finalizar", VALIDADOR, {}, "FINALIZADO"),
    ]
    for version, (accion, actor, datos, estado) in enumerate(pasos, start=1):
        vivo = await _accion(handle, accion, OrdenAccion(actor=actor, clave=f"k{version}", **datos))
        assert (vivo.estado, vivo.seq) == (estado, version)

    final = await handle.result()
    assert final.estado == "FINALIZADO" and final.asignado_a == TECNICO_ID and final.seq == 6
    # One write per action, in order, each moving from the previous state to the next.
    assert [c.accion for c in persistencia.cambios] == [p[0] for p in pasos]
    assert [c.seq for c in persistencia.cambios] == [1, 2, 3, 4, 5, 6]
    assert [c.antes.estado for c in persistencia.cambios] == ["REGISTRADO"] + [p[3] for p in pasos[:-1]]
    assert [c.despues.estado for c in persistencia.cambios] == [p[3] for p in pasos]


async def test_una_accion_rechazada_no_cambia_nada(flujo, entorno):
    nuevo, persistencia = flujo
    handle = await nuevo()
    antes = await _estado(handle)

    # A technician may not assign; nobody may close what was not even started.
    with pytest.raises(WorkflowUpdateFailedError) as sin_permiso:
        await _accion(handle, "asignar", OrdenAccion(actor=TECNICO, tecnico_id=TECNICO_ID, clave="a"))
    assert _tipo_de_rechazo(sin_permiso.value) == "SinPermiso"
    with pytest.raises(WorkflowUpdateFailedError) as fuera_de_orden:
        await _accion(handle, "finalizar", OrdenAccion(actor=VALIDADOR, clave="b"))
    assert _tipo_de_rechazo(fuera_de_orden.value) == "TransicionInvalida"

    assert await _estado(handle) == antes
    assert persistencia.cambios == []
    # Refused by the validator: the updates never entered the history.
    aceptadas = [
        e.workflow_execution_update_accepted_event_attributes.accepted_request.input.name
        async for e in handle.fetch_history_events()
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    ]
    assert aceptadas == [nombres.REGISTRAR]
    # The same pendiente still takes a valid action afterwards.
    vivo = await _accion(handle, "asignar", OrdenAccion(actor=COORDINADORA, tecnico_id=TECNICO_ID, clave="c"))
    assert (vivo.estado, vivo.seq) == ("ASIGNADO", 1)


async def test_asignar_persiste_el_tecnico_y_reasignar_lo_quita(flujo):
    nuevo, persistencia = flujo
    handle = await nuevo()
    await _accion(handle, "asignar", OrdenAccion(actor=COORDINADORA, tecnico_id=TECNICO_ID, clave="a"))
    await _accion(handle, "reasignar", OrdenAccion(actor=COORDINADORA, clave="r"))

    asignar, reasignar = persistencia.cambios
    assert asignar.antes.asignado_a is None and asignar.despues.asignado_a == TECNICO_ID
    assert reasignar.despues.asignado_a is None and reasignar.despues.estado == "REGISTRADO"


async def test_postergar_pone_la_fecha_y_limpia_vencido(flujo, entorno):
    nuevo, persistencia = flujo
    ahora = await entorno.get_current_time()
    atrasado = EstadoVivo(
        pendiente_id=0,
        estado="ASIGNADO",
        tipo="RECOJO_DISPOSITIVOS",
        asignado_a=TECNICO_ID,
        fecha_pendiente=ahora - timedelta(days=3),
        vencido=True,
        tiene_detalle=True,
        seq=4,
    )
    handle = await nuevo(atrasado)

    with pytest.raises(WorkflowUpdateFailedError) as al_pasado:
        orden = OrdenAccion(actor=COORDINADORA, nueva_fecha=ahora - timedelta(hours=1), clave="p0")
        await _accion(handle, "postergar", orden)
    assert _tipo_de_rechazo(al_pasado.value) == "DatosInvalidos"
    assert al_pasado.value.cause.details[0] == {"campo": "nuevaFecha"}

    nueva = ahora + timedelta(days=2)
    vivo = await _accion(handle, "postergar", OrdenAccion(actor=COORDINADORA, nueva_fecha=nueva, clave="p"))

    (postergar,) = persistencia.cambios
    assert postergar.despues.fecha_pendiente == nueva and postergar.despues.vencido is False
    assert postergar.despues.estado == "POSTERGADO" and postergar.despues.asignado_a == TECNICO_ID
    assert (vivo.fecha_pendiente, vivo.vencido, vivo.seq) == (nueva, False, 5)


async def test_cancelar_sella_el_instante_y_limpia_vencido(flujo, entorno):
    nuevo, persistencia = flujo
    ahora = await entorno.get_current_time()
    atrasado = EstadoVivo(
        pendiente_id=0,
        estado="EN_PROGRESO",
        tipo="RECOJO_DISPOSITIVOS",
        asignado_a=TECNICO_ID,
        fecha_pendiente=ahora - timedelta(days=1),
        vencido=True,
        tiene_detalle=True,
        seq=2,
    )
    handle = await nuevo(atrasado)
    await _accion(handle, "cancelar", OrdenAccion(actor=COORDINADORA, motivo="cliente desistió", clave="c"))

    (cancelar,) = persistencia.cambios
    assert cancelar.despues.estado == "CANCELADO" and cancelar.despues.vencido is False
    assert cancelar.antes.cancelado_en is None
    assert abs(cancelar.despues.cancelado_en - ahora) < timedelta(minutes=5)
    assert cancelar.detalles == "cliente desistió"


async def test_finalizar_limpia_vencido(flujo, entorno):
    nuevo, persistencia = flujo
    ahora = await entorno.get_current_time()
    atrasado = EstadoVivo(
        pendiente_id=0,
        estado="POR_VALIDAR",
        tipo="RECOJO_DISPOSITIVOS",
        asignado_a=TECNICO_ID,
        fecha_pendiente=ahora - timedelta(days=1),
        vencido=True,
        tiene_detalle=True,
        seq=3,
    )
    handle = await nuevo(atrasado)
    await _accion(handle, "finalizar", OrdenAccion(actor=VALIDADOR, clave="f"))

    assert (await handle.result()).vencido is False
    (finalizar,) = persistencia.cambios
    assert finalizar.despues.estado == "FINALIZADO" and finalizar.despues.vencido is False


def _comprometido(vivo: EstadoVivo, aplicado: bool = False, claves: list[str] | None = None):
    return ResultadoCambio(aplicado=aplicado, vivo=vivo, datos=DATOS, claves=claves or [])


async def test_postgres_adelantado_se_adopta_y_la_accion_se_reintenta_sobre_el(flujo):
    nuevo, persistencia = flujo
    asignado = EstadoVivo(
        pendiente_id=0,
        estado="ASIGNADO",
        tipo="RECOJO_DISPOSITIVOS",
        asignado_a=TECNICO_ID,
        tiene_detalle=True,
        seq=1,
    )
    handle = await nuevo(asignado)
    pendiente_id = (await _estado(handle)).pendiente_id
    # Postgres committed a `comenzar` (seq 2) this workflow lost in a crash.
    en_progreso = asignado.model_copy(
        update={"pendiente_id": pendiente_id, "estado": "EN_PROGRESO", "seq": 2}
    )
    persistencia.adelantos.append(_comprometido(en_progreso, claves=["perdida"]))

    vivo = await _accion(handle, "cancelar", OrdenAccion(actor=COORDINADORA, motivo="x", clave="c"))

    primero, segundo = persistencia.cambios
    assert (primero.seq, primero.antes.estado) == (2, "ASIGNADO")
    # Re-checked against the committed record and written after it.
    assert (segundo.seq, segundo.antes.estado, segundo.antes.seq) == (3, "EN_PROGRESO", 2)
    assert segundo.despues.estado == "CANCELADO" and segundo.cambio_id == primero.cambio_id
    assert (vivo.estado, vivo.seq) == ("CANCELADO", 3)
    assert await _estado(handle) == vivo


async def test_postgres_adelantado_que_ya_no_admite_la_accion_la_rechaza(flujo):
    nuevo, persistencia = flujo
    asignado = EstadoVivo(
        pendiente_id=0,
        estado="ASIGNADO",
        tipo="RECOJO_DISPOSITIVOS",
        asignado_a=TECNICO_ID,
        tiene_detalle=True,
        seq=1,
    )
    handle = await nuevo(asignado)
    pendiente_id = (await _estado(handle)).pendiente_id
    en_progreso = asignado.model_copy(
        update={"pendiente_id": pendiente_id, "estado": "EN_PROGRESO", "seq": 2}
    )
    persistencia.adelantos.append(_comprometido(en_progreso))

    # Valid against the workflow's stale ASIGNADO, no longer against the committed EN_PROGRESO.
    with pytest.raises(WorkflowUpdateFailedError) as rechazo:
        await _accion(handle, "comenzar", OrdenAccion(actor=TECNICO, clave="c"))
    assert _tipo_de_rechazo(rechazo.value) == "TransicionInvalida"

    assert len(persistencia.cambios) == 1
    assert await _estado(handle) == en_progreso


async def test_el_cambio_ya_comprometido_se_adopta_sin_escribirlo_de_nuevo(flujo):
    nuevo, persistencia = flujo
    handle = await nuevo()
    pendiente_id = (await _estado(handle)).pendiente_id
    asignado = EstadoVivo(
        pendiente_id=pendiente_id,
        estado="ASIGNADO",
        tipo="RECOJO_DISPOSITIVOS",
        asignado_a=TECNICO_ID,
        tiene_detalle=True,
        seq=1,
    )
    persistencia.adelantos.append(_comprometido(asignado, aplicado=True))

    orden = OrdenAccion(actor=COORDINADORA, tecnico_id=TECNICO_ID, clave="a")
    vivo = await _accion(handle, "asignar", orden)

    assert len(persistencia.cambios) == 1
    assert vivo == asignado
    # A retry with the same key answers the same, without another write.
    assert await _accion(handle, "asignar", orden) == asignado
    assert len(persistencia.cambios) == 1


async def test_acciones_sin_argumento_para_ops(flujo):
    nuevo, _ = flujo
    handle = await nuevo()

    # What the Temporal UI sends when ops query `acciones` with no input.
    sin_actor = await handle.query(nombres.ACCIONES, result_type=AccionesDisponibles)
    assert sin_actor.estado == "REGISTRADO" and sin_actor.estado_tecnico == "OK"
    # From REGISTRADO a pendiente is assigned, cancelled or postponed; a RECOJO has no network work.
    assert set(sin_actor.acciones) == {"asignar", "cancelar", "postergar"}

    # With an actor, as the API asks: only what that actor may do.
    del_tecnico = await handle.query(nombres.ACCIONES, TECNICO, result_type=AccionesDisponibles)
    assert del_tecnico.acciones == []
    de_la_coordinadora = await handle.query(nombres.ACCIONES, COORDINADORA, result_type=AccionesDisponibles)
    assert set(de_la_coordinadora.acciones) == {"asignar", "cancelar", "postergar"}


EDITORA = ActorMsg(
    usuario_id=4,
    empleado_id=11,
    nombre="editora",
    permisos=frozenset({Permiso.EDITAR_PENDIENTE, Permiso.REGISTRAR_PENDIENTE}),
)


async def test_un_campo_ajeno_se_rechaza_nombrado_como_lo_escribe_la_api(flujo):
    """A caller other than the API (a script, the CLI) that sends a field the workflow does not edit gets
    the same 422 shape as an HTTP client: `campo` in camelCase, and nothing written."""
    nuevo, persistencia = flujo
    handle = await nuevo()

    with pytest.raises(WorkflowUpdateFailedError) as cabecera:
        orden = OrdenEdicion(actor=EDITORA, edicion=Edicion(campos=["estado_tecnico", "direccion"]))
        await handle.execute_update(nombres.EDITAR, orden, result_type=EstadoVivo)
    assert _tipo_de_rechazo(cabecera.value) == "DatosInvalidos"
    assert cabecera.value.cause.details[0] == {"campo": "estadoTecnico"}
    assert "estadoTecnico" in cabecera.value.cause.message

    # A device pickup's detail has no fault description.
    with pytest.raises(WorkflowUpdateFailedError) as detalle:
        orden = OrdenDetalle(actor=EDITORA, detalle=Detalle(campos=["descripcion_falla"]), crear=False)
        await handle.execute_update(nombres.GUARDAR_DETALLE, orden, result_type=EstadoVivo)
    assert _tipo_de_rechazo(detalle.value) == "DatosInvalidos"
    assert detalle.value.cause.details[0] == {"campo": "descripcionFalla"}

    assert persistencia.cambios == []


async def _atributos_escritos(handle) -> list[set[str]]:
    """The search attributes each visibility write of the history carries, in order (but the SDK's own
    record of the workflow's patches, TemporalChangeVersion, written once per run)."""
    escritos = [
        set(e.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields)
        async for e in handle.fetch_history_events()
        if e.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES
    ]
    return [e for e in escritos if e != {"TemporalChangeVersion"}]


async def test_solo_se_escriben_los_atributos_de_busqueda_que_cambian(flujo):
    nuevo, persistencia = flujo
    handle = await nuevo()
    await _accion(handle, "asignar", OrdenAccion(actor=COORDINADORA, tecnico_id=TECNICO_ID, clave="a"))
    await _accion(handle, "comenzar", OrdenAccion(actor=TECNICO, clave="b"))
    await _accion(handle, "pausar", OrdenAccion(actor=TECNICO, clave="c"))
    escritos = await _atributos_escritos(handle)
    # Started without attributes: the first change writes them all; then only what moved.
    assert len(escritos) == 3
    assert {"Estado", "EstadoTecnico", "Tipo", "Lugar", "AsignadoA"} <= escritos[0]
    assert escritos[1:] == [{"Estado"}, {"Estado"}]

    # A refused signal is recorded (a historial row) but changes nothing ops filter by: no write.
    await handle.signal("finalizar", OrdenAccion(actor=TECNICO))
    for _ in range(100):
        if len(persistencia.cambios) == 4:
            break
        await asyncio.sleep(0.05)
    assert persistencia.cambios[-1].accion == "senal_rechazada"
    assert await _atributos_escritos(handle) == escritos
    assert (await _estado(handle)).estado == "PAUSADO"
