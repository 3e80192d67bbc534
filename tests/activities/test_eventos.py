"""The activities write a pendiente's events exactly once: with the insert of a creation, with each
change applied (the workflow's own timers included: `reactivar` and `vencer`, actor `sistema`), never
again when a retry finds its change committed, and never for a change that reports nothing (a refused
signal). Driven here straight through the activities, as the workflow calls them (no workflow runs for
these pendientes)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from activities.persistencia import PersistenciaActivities
from api.pendientes.comandos import Comandos
from contrato.mensajes import SISTEMA, Cambio, DatosPendiente, OrigenCambio
from db import models as m
from ops.demo import personas_demo
from tests.conftest import TASK_QUEUE

LIMA = ZoneInfo("America/Lima")


@pytest.fixture(scope="module")
async def personas(sessions, demo):
    return await personas_demo(sessions)


@pytest.fixture(scope="module")
def comandos(temporal_env, sessions) -> Comandos:
    # Used only to reserve ids and sign actors as the API does.
    return Comandos(temporal_env.client, sessions, TASK_QUEUE)


@pytest.fixture(scope="module")
def actividades(sessions) -> PersistenciaActivities:
    return PersistenciaActivities(sessions)


async def _eventos(sessions, pendiente_id: int) -> list[m.Evento]:
    async with sessions() as s:
        consulta = select(m.Evento).where(m.Evento.pendiente_id == pendiente_id).order_by(m.Evento.numero)
        return list(await s.scalars(consulta))


async def _registrado(sessions, comandos, actividades, personas) -> int:
    async with sessions() as s:
        cliente = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000004"))
    coordinadora = personas.actores["coordinadora"]
    datos = DatosPendiente(
        cliente_id=cliente,
        registrado_por=coordinadora.empleado_id,
        tipo="AVERIA",
        lugar="PUNO",
        prioridad="MEDIA",
        fecha_pendiente=datetime.now(LIMA) + timedelta(days=1),
        detalle={"descripcion_falla": "sin señal"},
    )
    pendiente_id = await comandos.reservar_id(None, None, "")
    inicio = await comandos.inicio(pendiente_id, datos, coordinadora)
    await actividades.registrar_pendiente(inicio)
    return pendiente_id


async def _cambio(actividades, pendiente_id: int, accion: str, actor=SISTEMA, origen=None, **despues):
    """The change `accion` with `despues` applied to the committed state, as the workflow builds it."""
    vivo = (await actividades.leer_comprometido(pendiente_id)).vivo
    seq = vivo.seq + 1
    return Cambio(
        pendiente_id=pendiente_id,
        seq=seq,
        cambio_id=f"sistema:{accion}:{seq}",
        huella=accion,
        origen=origen or OrigenCambio.SISTEMA,
        accion=accion,
        actor=actor,
        antes=vivo,
        despues=vivo.model_copy(update=despues | {"seq": seq}),
        detalles=f"prueba de {accion}",
    )


async def test_una_creacion_reintentada_escribe_un_evento(sessions, comandos, actividades, personas):
    coordinadora = personas.actores["coordinadora"]
    pendiente_id = await _registrado(sessions, comandos, actividades, personas)
    async with sessions() as s:
        fila = await s.get(m.Pendiente, pendiente_id)
    inicio = await comandos.inicio(
        pendiente_id,
        DatosPendiente(
            cliente_id=fila.cliente_id,
            registrado_por=fila.registrado_por,
            tipo=fila.tipo,
            lugar=fila.lugar,
            prioridad=fila.prioridad,
        ),
        coordinadora,
    )

    await actividades.registrar_pendiente(inicio)  # a retry after a lost answer

    escritos = await _eventos(sessions, pendiente_id)
    assert [(e.tipo, e.seq) for e in escritos] == [("pendiente.creado", 0)]
    assert escritos[0].datos["actor"] == {
        "usuarioId": coordinadora.usuario_id,
        "empleadoId": coordinadora.empleado_id,
        "nombre": coordinadora.nombre,
    }


async def test_el_sistema_reactiva_y_vence_con_sus_eventos(sessions, comandos, actividades, personas):
    pendiente_id = await _registrado(sessions, comandos, actividades, personas)
    await actividades.aplicar_cambio(await _cambio(actividades, pendiente_id, "vencer", vencido=True))
    reactivar = await _cambio(actividades, pendiente_id, "reactivar", estado="REGISTRADO", vencido=False)
    await actividades.aplicar_cambio(reactivar)

    escritos = await _eventos(sessions, pendiente_id)
    assert [(e.tipo, e.seq) for e in escritos] == [
        ("pendiente.creado", 0),
        ("pendiente.vencido", 1),
        ("pendiente.reactivado", 2),
    ]
    vencido, reactivado = escritos[1], escritos[2]
    sistema = {"usuarioId": None, "empleadoId": None, "nombre": "sistema"}
    assert vencido.datos["actor"] == reactivado.datos["actor"] == sistema
    assert vencido.datos["pendiente"]["vencido"] is True and vencido.datos["pendiente"]["version"] == 1
    assert reactivado.datos["pendiente"]["vencido"] is False
    assert reactivado.datos["detalles"] == "prueba de reactivar"
    assert len({e.id for e in escritos}) == 3


async def test_un_cambio_ya_aplicado_no_escribe_otro_evento(sessions, comandos, actividades, personas):
    pendiente_id = await _registrado(sessions, comandos, actividades, personas)
    vencer = await _cambio(actividades, pendiente_id, "vencer", vencido=True)

    primero = await actividades.aplicar_cambio(vencer)
    reintento = await actividades.aplicar_cambio(vencer)
    # Another change for the same seq: Postgres is ahead, nothing is written.
    otro = vencer.model_copy(update={"cambio_id": "sistema:otro:1", "huella": "otro"})
    adelantado = await actividades.aplicar_cambio(otro)

    assert primero.aplicado and reintento.aplicado and not adelantado.aplicado
    escritos = await _eventos(sessions, pendiente_id)
    assert [(e.tipo, e.seq) for e in escritos] == [("pendiente.creado", 0), ("pendiente.vencido", 1)]


async def test_una_senal_rechazada_no_es_un_evento(sessions, comandos, actividades, personas):
    pendiente_id = await _registrado(sessions, comandos, actividades, personas)
    rechazo = await _cambio(actividades, pendiente_id, "senal_rechazada", origen=OrigenCambio.SENAL)

    assert (await actividades.aplicar_cambio(rechazo)).aplicado
    async with sessions() as s:
        acciones = list(
            await s.scalars(select(m.Historial.accion).where(m.Historial.pendiente_id == pendiente_id))
        )
        n = await s.scalar(select(func.count()).where(m.Evento.pendiente_id == pendiente_id))
    assert sorted(acciones) == ["crear", "senal_rechazada"]
    assert n == 1  # the creation's
