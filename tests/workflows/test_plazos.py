"""Durable timers on the time-skipping test server: a postponed pendiente comes back by itself, an
open one past its day becomes overdue (and only an open one: never POR_VALIDAR nor REVISION), closing
an overdue one clears the flag, a cancelled one is archived after its retention; the timers live in the
server, so they fire even across a worker restart.

Instants are computed from the test server's clock in Lima days, never from a literal date, so the
tests are exact at any date and hour of the machine's clock."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowExecutionStatus

from api.pendientes.comandos import Comandos
from contrato.mensajes import ConfigFlujo, DatosPendiente, EstadoVivo, OrdenAccion
from db import models as m
from domain.acciones import Accion
from domain.enums import PrioridadPendiente
from infra.temporal import workflow_id
from ops.demo import personas_demo
from worker import build_worker
from workflows import busqueda
from workflows.pendiente import PendienteWorkflow

COLA = "pendientes-plazos"
# These tests are about the day's timers: a deadline of a year keeps SLA escalations out of their way
# (tests/workflows/test_sla.py tests those).
SIN_ESCALADAS = ConfigFlujo(
    retencion_cancelado=timedelta(days=30), sla_plazos=dict.fromkeys(PrioridadPendiente, 365 * 86400)
)
# The overdue rule counts calendar days in Lima (product-decisions.md), typed here independently.
LIMA = ZoneInfo("America/Lima")


@pytest.fixture(scope="module")
async def comandos(entorno, sessions):
    return Comandos(entorno.client, sessions, COLA, flujo=SIN_ESCALADAS)


@pytest.fixture(scope="module")
async def worker(entorno, sessions):
    async with build_worker(entorno.client, sessions, COLA) as w:
        yield w


async def _dia_lima(entorno, dias: int) -> date:
    """The Lima calendar day `dias` days after the test server's today."""
    return (await entorno.get_current_time()).astimezone(LIMA).date() + timedelta(days=dias)


def _a_las(dia: date, hora: int) -> datetime:
    return datetime.combine(dia, time(hora), LIMA)


async def _dormir_hasta(entorno, instante: datetime) -> None:
    """Skip the test server's clock to `instante` (timers due before it fire on the way)."""
    restante = instante - await entorno.get_current_time()
    assert restante > timedelta(0), f"{instante} already passed: the test took too long"
    await entorno.sleep(restante)


async def _nuevo(
    entorno,
    comandos,
    sessions,
    personas,
    *,
    asignado: bool,
    fecha_en: timedelta | None = None,
    fecha: datetime | None = None,
) -> int:
    async with sessions() as s:
        cliente = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000005"))
    coordinadora = personas.actores["coordinadora"]
    datos = DatosPendiente(
        cliente_id=cliente,
        registrado_por=coordinadora.empleado_id,
        tipo="RECOJO_DISPOSITIVOS",
        lugar="JULI",
        prioridad="MEDIA",
        fecha_pendiente=fecha or await entorno.get_current_time() + fecha_en,
        detalle={"dispositivo": "DECO"},
    )
    pendiente_id = await comandos.crear_pendiente(datos, coordinadora)
    if asignado:
        orden = OrdenAccion(actor=coordinadora, tecnico_id=personas.tecnicos[0].empleado_id)
        await comandos.ejecutar(pendiente_id, Accion.ASIGNAR, orden)
    return pendiente_id


async def _fila(sessions, pendiente_id: int) -> tuple[m.Pendiente, m.Historial]:
    async with sessions() as s:
        fila = await s.get(m.Pendiente, pendiente_id)
        ultima = await s.scalar(
            select(m.Historial)
            .where(m.Historial.pendiente_id == pendiente_id)
            .order_by(m.Historial.id.desc())
        )
        return fila, ultima


async def _acciones(sessions, pendiente_id: int) -> list[str]:
    async with sessions() as s:
        consulta = (
            select(m.Historial.accion)
            .where(m.Historial.pendiente_id == pendiente_id)
            .order_by(m.Historial.seq)
        )
        return list(await s.scalars(consulta))


async def _vivo(entorno, pendiente_id: int) -> EstadoVivo:
    """The state the workflow itself holds (its `estado` query), not the Postgres row."""
    return await entorno.client.get_workflow_handle(workflow_id(pendiente_id)).query(PendienteWorkflow.estado)


async def _postergar(
    entorno, comandos, personas, pendiente_id: int, dias: int = 0, hasta: datetime | None = None
) -> None:
    nueva = hasta or await entorno.get_current_time() + timedelta(days=dias)
    orden = OrdenAccion(actor=personas.actores["coordinadora"], nueva_fecha=nueva, motivo="lluvias")
    await comandos.ejecutar(pendiente_id, Accion.POSTERGAR, orden)


async def _trabajar(comandos, personas, pendiente_id: int, *acciones: Accion) -> None:
    """The assigned technician takes `acciones` in order."""
    for accion in acciones:
        orden = OrdenAccion(actor=personas.tecnicos[0], motivo="falta material")
        await comandos.ejecutar(pendiente_id, accion, orden)


@pytest.fixture(scope="module")
async def personas(sessions, demo):
    return await personas_demo(sessions)


@pytest.mark.parametrize(("asignado", "vuelve_a"), [(True, "ASIGNADO"), (False, "REGISTRADO")])
async def test_un_postergado_vuelve_solo_en_su_fecha(
    entorno, comandos, worker, sessions, personas, asignado, vuelve_a
):
    pendiente_id = await _nuevo(
        entorno, comandos, sessions, personas, fecha_en=timedelta(days=5), asignado=asignado
    )
    # Back at noon: the hour after the return stays inside that Lima day, so no `vencer` can follow.
    regreso = _a_las(await _dia_lima(entorno, 2), 12)
    await _postergar(entorno, comandos, personas, pendiente_id, hasta=regreso)

    await _dormir_hasta(entorno, regreso - timedelta(hours=1))
    assert (await _fila(sessions, pendiente_id))[0].estado == "POSTERGADO"
    await _dormir_hasta(entorno, regreso + timedelta(hours=1))

    fila, ultima = await _fila(sessions, pendiente_id)
    assert fila.estado == vuelve_a and fila.vencido is False
    assert (ultima.accion, ultima.actor_nombre, ultima.empleado_id) == ("reactivar", "sistema", None)
    creado = ["crear", "asignar"] if asignado else ["crear"]
    assert await _acciones(sessions, pendiente_id) == [*creado, "postergar", "reactivar"]
    descripcion = await entorno.client.get_workflow_handle(workflow_id(pendiente_id)).describe()
    assert descripcion.typed_search_attributes.get(busqueda.ESTADO) == vuelve_a


async def test_un_pendiente_abierto_vence_al_terminar_su_dia(entorno, comandos, worker, sessions, personas):
    pendiente_id = await _nuevo(
        entorno, comandos, sessions, personas, fecha_en=timedelta(hours=1), asignado=True
    )

    await entorno.sleep(timedelta(days=2))

    fila, ultima = await _fila(sessions, pendiente_id)
    assert fila.vencido is True and fila.estado == "ASIGNADO"
    assert (ultima.accion, ultima.actor_nombre) == ("vencer", "sistema")
    handle = entorno.client.get_workflow_handle(workflow_id(pendiente_id))
    assert (await handle.describe()).typed_search_attributes.get(busqueda.VENCIDO) is True

    await _postergar(entorno, comandos, personas, pendiente_id, dias=3)
    fila, _ = await _fila(sessions, pendiente_id)
    assert fila.vencido is False
    assert (await handle.describe()).typed_search_attributes.get(busqueda.VENCIDO) is False


async def test_un_pendiente_futuro_no_vence(entorno, comandos, worker, sessions, personas):
    pendiente_id = await _nuevo(
        entorno, comandos, sessions, personas, fecha_en=timedelta(days=10), asignado=False
    )
    await entorno.sleep(timedelta(days=3))
    fila, ultima = await _fila(sessions, pendiente_id)
    assert fila.vencido is False and ultima.accion == "crear"


async def _para_manana_a_mediodia(entorno, comandos, sessions, personas) -> tuple[int, datetime]:
    """An assigned pendiente scheduled for noon tomorrow (Lima): at least a day of work before its day
    ends, whatever the hour now. Returns its id and the instant its day has ended (plus an hour)."""
    manana = await _dia_lima(entorno, 1)
    pendiente_id = await _nuevo(
        entorno, comandos, sessions, personas, fecha=_a_las(manana, 12), asignado=True
    )
    return pendiente_id, _a_las(manana + timedelta(days=1), 1)


async def _vencido_en_todas_partes(entorno, sessions, pendiente_id: int) -> bool:
    """The flag as the row, the workflow's state and the search attribute agree on it."""
    fila, _ = await _fila(sessions, pendiente_id)
    vivo = await _vivo(entorno, pendiente_id)
    descripcion = await entorno.client.get_workflow_handle(workflow_id(pendiente_id)).describe()
    atributo = descripcion.typed_search_attributes.get(busqueda.VENCIDO)
    assert fila.vencido == vivo.vencido == atributo, (fila.vencido, vivo.vencido, atributo)
    return fila.vencido


@pytest.mark.parametrize(
    ("accion", "estado"), [(Accion.TERMINAR, "POR_VALIDAR"), (Accion.SOLICITAR_REVISION, "REVISION")]
)
async def test_por_validar_o_en_revision_no_vence(
    entorno, comandos, worker, sessions, personas, accion, estado
):
    """The work is done (or waits for review): only REGISTRADO..PAUSADO and OBSERVADO become overdue."""
    pendiente_id, fin_del_dia = await _para_manana_a_mediodia(entorno, comandos, sessions, personas)
    await _trabajar(comandos, personas, pendiente_id, Accion.COMENZAR, accion)

    await _dormir_hasta(entorno, fin_del_dia + timedelta(days=1))

    assert await _acciones(sessions, pendiente_id) == ["crear", "asignar", "comenzar", accion.value]
    assert (await _vivo(entorno, pendiente_id)).estado == estado
    assert await _vencido_en_todas_partes(entorno, sessions, pendiente_id) is False


async def test_un_vencido_cancelado_deja_de_estar_vencido(entorno, comandos, worker, sessions, personas):
    pendiente_id, fin_del_dia = await _para_manana_a_mediodia(entorno, comandos, sessions, personas)
    await _dormir_hasta(entorno, fin_del_dia)
    assert await _vencido_en_todas_partes(entorno, sessions, pendiente_id) is True

    orden = OrdenAccion(actor=personas.actores["coordinadora"], motivo="cliente desistió")
    await comandos.ejecutar(pendiente_id, Accion.CANCELAR, orden)
    # A day later (well within the retention) nothing flags it again.
    await _dormir_hasta(entorno, fin_del_dia + timedelta(days=1))

    assert await _acciones(sessions, pendiente_id) == ["crear", "asignar", "vencer", "cancelar"]
    assert (await _fila(sessions, pendiente_id))[0].estado == "CANCELADO"
    assert (await _vivo(entorno, pendiente_id)).estado == "CANCELADO"
    assert await _vencido_en_todas_partes(entorno, sessions, pendiente_id) is False


async def test_un_vencido_finalizado_deja_de_estar_vencido(entorno, comandos, worker, sessions, personas):
    pendiente_id, fin_del_dia = await _para_manana_a_mediodia(entorno, comandos, sessions, personas)
    await _trabajar(comandos, personas, pendiente_id, Accion.COMENZAR)
    await _dormir_hasta(entorno, fin_del_dia)
    assert await _vencido_en_todas_partes(entorno, sessions, pendiente_id) is True
    # Terminating is not closing: it reaches POR_VALIDAR still overdue.
    await _trabajar(comandos, personas, pendiente_id, Accion.TERMINAR)
    assert await _vencido_en_todas_partes(entorno, sessions, pendiente_id) is True

    final = await comandos.ejecutar(
        pendiente_id, Accion.FINALIZAR, OrdenAccion(actor=personas.actores["asesor"])
    )

    acciones = ["crear", "asignar", "comenzar", "vencer", "terminar", "finalizar"]
    assert await _acciones(sessions, pendiente_id) == acciones
    fila, _ = await _fila(sessions, pendiente_id)
    assert (fila.estado, fila.vencido) == ("FINALIZADO", False)
    assert (final.estado, final.vencido) == ("FINALIZADO", False)
    # FINALIZADO ends the workflow: its result and its `estado` query are the state it held last.
    handle = entorno.client.get_workflow_handle(workflow_id(pendiente_id), result_type=EstadoVivo)
    resultado = await handle.result()
    assert (resultado.estado, resultado.vencido) == ("FINALIZADO", False)
    vivo = await _vivo(entorno, pendiente_id)
    assert (vivo.estado, vivo.vencido) == ("FINALIZADO", False)


async def test_un_cancelado_se_archiva_tras_la_retencion(entorno, comandos, worker, sessions, personas):
    pendiente_id = await _nuevo(
        entorno, comandos, sessions, personas, fecha_en=timedelta(days=40), asignado=False
    )
    orden = OrdenAccion(actor=personas.actores["coordinadora"], motivo="cliente se mudó")
    await comandos.ejecutar(pendiente_id, Accion.CANCELAR, orden)
    handle = entorno.client.get_workflow_handle(workflow_id(pendiente_id))

    await entorno.sleep(timedelta(days=29))
    assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING
    await entorno.sleep(timedelta(days=2))

    assert (await handle.describe()).status is WorkflowExecutionStatus.COMPLETED
    fila, ultima = await _fila(sessions, pendiente_id)
    assert fila.estado == "CANCELADO" and ultima.accion == "archivar"


async def test_el_plazo_sobrevive_al_reinicio_del_worker(entorno, sessions, personas):
    """The timer is set under one worker and fires under another: it lives in the server.
    (No sticky cache: the test server would otherwise keep offering tasks to the stopped worker.)"""
    cola = "pendientes-plazos-reinicio"
    comandos = Comandos(entorno.client, sessions, cola, flujo=SIN_ESCALADAS)
    async with build_worker(entorno.client, sessions, cola, max_cached_workflows=0):
        pendiente_id = await _nuevo(
            entorno, comandos, sessions, personas, fecha_en=timedelta(days=5), asignado=True
        )
        await _postergar(entorno, comandos, personas, pendiente_id, dias=1)

    async with build_worker(entorno.client, sessions, cola, max_cached_workflows=0):
        assert (await _fila(sessions, pendiente_id))[0].estado == "POSTERGADO"
        await entorno.sleep(timedelta(days=1, minutes=5))

    async with sessions() as s:
        acciones = list(
            await s.scalars(
                select(m.Historial.accion)
                .where(m.Historial.pendiente_id == pendiente_id)
                .order_by(m.Historial.id)
            )
        )
    assert acciones[:4] == ["crear", "asignar", "postergar", "reactivar"]
    assert (await _fila(sessions, pendiente_id))[0].estado == "ASIGNADO"
    # No worker polls this queue after the test: its workflow's next timer would hold the test server's
    # clock (a task nobody takes) and stall any later test that skips past it.
    await entorno.client.get_workflow_handle(workflow_id(pendiente_id)).terminate("fin de la prueba")


async def _temporizadores(entorno, pendiente_id: int) -> tuple[int, int]:
    """(timers started, timers cancelled) in the pendiente's history."""
    historia = await entorno.client.get_workflow_handle(workflow_id(pendiente_id)).fetch_history()
    tipos = [e.WhichOneof("attributes") for e in historia.events]
    return tipos.count("timer_started_event_attributes"), tipos.count("timer_canceled_event_attributes")


async def test_pausar_y_continuar_no_rearman_el_plazo_que_no_mueven(
    entorno, comandos, worker, sessions, personas
):
    pendiente_id, vencido_ya = await _para_manana_a_mediodia(entorno, comandos, sessions, personas)
    await _trabajar(comandos, personas, pendiente_id, Accion.COMENZAR)
    antes = await _temporizadores(entorno, pendiente_id)
    # Ten changes that leave the day's end where it is: the running timer stays, none is added.
    for _ in range(5):
        await _trabajar(comandos, personas, pendiente_id, Accion.PAUSAR, Accion.CONTINUAR)
    assert await _temporizadores(entorno, pendiente_id) == antes
    # And that timer still fires when the day is over.
    await _dormir_hasta(entorno, vencido_ya)
    fila, ultima = await _fila(sessions, pendiente_id)
    assert fila.vencido is True and (ultima.accion, ultima.actor_nombre) == ("vencer", "sistema")
