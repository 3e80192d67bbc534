"""The persistence activity decides from the committed record whether a change is new, a retry of one it
already wrote, or stale. It looks a change's key up only when the record moved past the seq the change
expects, so these tests drive it straight (no workflow in between) through each case and count what
Postgres holds afterwards."""

from __future__ import annotations

import socket
import uuid

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.persistencia import PersistenciaActivities, sin_internos
from api.pendientes.comandos import Comandos
from contrato.mensajes import SISTEMA, Cambio, DatosPendiente, OrdenAccion, OrigenCambio
from db import models as m
from db.eventos import vista_pendiente
from domain.acciones import Accion
from domain.errores import TipoError
from ops.demo import personas_demo
from tests.conftest import TASK_QUEUE


@pytest.fixture(scope="module")
def actividades(sessions) -> PersistenciaActivities:
    return PersistenciaActivities(sessions)


@pytest.fixture
async def pendiente_id(temporal_env, sessions, worker, demo) -> int:
    personas = await personas_demo(sessions)
    async with sessions() as s:
        cliente = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000002"))
    datos = DatosPendiente(
        cliente_id=cliente,
        registrado_por=personas.actores["coordinadora"].empleado_id,
        tipo="INSTALACION_CAMARAS",
        lugar="PUNO",
        prioridad="BAJA",
        detalle={},
    )
    comandos = Comandos(temporal_env.client, sessions, TASK_QUEUE)
    return await comandos.crear_pendiente(datos, personas.actores["coordinadora"])


async def _cambio(actividades, pendiente_id: int, clave: str, huella: str) -> Cambio:
    """A system change ("vencer") on top of the record as committed now."""
    antes = (await ActivityEnvironment().run(actividades.leer_comprometido, pendiente_id)).vivo
    return Cambio(
        pendiente_id=pendiente_id,
        seq=antes.seq + 1,
        cambio_id=clave,
        huella=huella,
        origen=OrigenCambio.SISTEMA,
        accion="vencer",
        actor=SISTEMA,
        antes=antes,
        despues=antes.model_copy(update={"vencido": True, "seq": antes.seq + 1}),
        detalles="prueba",
    )


async def _escritos(sessions, pendiente_id: int) -> tuple[int, int, int]:
    """(the row's seq, historial rows, outbox events) of the pendiente."""
    async with sessions() as s:
        seq = await s.scalar(select(m.Pendiente.seq).where(m.Pendiente.id == pendiente_id))
        historial = await s.scalar(select(func.count()).where(m.Historial.pendiente_id == pendiente_id))
        eventos = await s.scalar(select(func.count()).where(m.Evento.pendiente_id == pendiente_id))
    return seq, historial, eventos


async def _aplicar(actividades, cambio: Cambio):
    return await ActivityEnvironment().run(actividades.aplicar_cambio, cambio)


async def test_un_cambio_nuevo_escribe_fila_historial_y_evento(actividades, sessions, pendiente_id):
    seq, historial, eventos = await _escritos(sessions, pendiente_id)
    resultado = await _aplicar(actividades, await _cambio(actividades, pendiente_id, "k-nuevo", "h"))
    assert resultado.aplicado and resultado.vivo is None
    assert await _escritos(sessions, pendiente_id) == (seq + 1, historial + 1, eventos + 1)
    async with sessions() as s:
        assert await s.scalar(select(m.Pendiente.vencido).where(m.Pendiente.id == pendiente_id)) is True


async def test_el_reintento_del_mismo_cambio_no_escribe_otra_vez(actividades, sessions, pendiente_id):
    cambio = await _cambio(actividades, pendiente_id, "k-reintento", "h")
    await _aplicar(actividades, cambio)
    escritos = await _escritos(sessions, pendiente_id)
    resultado = await _aplicar(actividades, cambio)
    # Answered as written, with the committed record to adopt; nothing more in Postgres.
    assert resultado.aplicado and resultado.vivo.seq == cambio.seq and "k-reintento" in resultado.claves
    assert await _escritos(sessions, pendiente_id) == escritos


async def test_la_clave_ya_usada_en_un_seq_anterior_para_lo_mismo_se_responde_sin_escribir(
    actividades, sessions, pendiente_id
):
    await _aplicar(actividades, await _cambio(actividades, pendiente_id, "k-vieja", "h"))
    await _aplicar(actividades, await _cambio(actividades, pendiente_id, f"k-{uuid.uuid4().hex}", "otra"))
    escritos = await _escritos(sessions, pendiente_id)
    # The key comes back at the current seq (a workflow that no longer remembers it): the record is
    # at the change's expected seq, so only the unique key in historial reveals it.
    resultado = await _aplicar(actividades, await _cambio(actividades, pendiente_id, "k-vieja", "h"))
    assert resultado.aplicado and resultado.vivo is not None
    assert await _escritos(sessions, pendiente_id) == escritos


async def test_la_clave_ya_usada_para_otra_peticion_se_rechaza(actividades, sessions, pendiente_id):
    await _aplicar(actividades, await _cambio(actividades, pendiente_id, "k-ajena", "h1"))
    escritos = await _escritos(sessions, pendiente_id)
    with pytest.raises(ApplicationError) as error:
        await _aplicar(actividades, await _cambio(actividades, pendiente_id, "k-ajena", "h2"))
    assert error.value.type == TipoError.CLAVE_REUTILIZADA
    assert await _escritos(sessions, pendiente_id) == escritos


async def test_un_cambio_sobre_un_seq_ya_ocupado_devuelve_el_registro(actividades, sessions, pendiente_id):
    viejo = await _cambio(actividades, pendiente_id, "k-primero", "h")
    await _aplicar(actividades, viejo)
    escritos = await _escritos(sessions, pendiente_id)
    # Another change computed on the same old record: Postgres is ahead of it.
    otro = viejo.model_copy(update={"cambio_id": "k-segundo", "huella": "h2"})
    resultado = await _aplicar(actividades, otro)
    assert not resultado.aplicado and resultado.vivo.seq == viejo.seq
    assert await _escritos(sessions, pendiente_id) == escritos


async def _ultimo_evento(sessions, pendiente_id: int) -> dict:
    async with sessions() as s:
        ultimo = select(m.Evento.datos).where(m.Evento.pendiente_id == pendiente_id)
        return await s.scalar(ultimo.order_by(m.Evento.numero.desc()).limit(1))


def _sin_reloj(vista: dict) -> dict:
    # Minutes elapsed are computed at the moment each view is built: they may differ by one.
    return {k: v for k, v in vista.items() if k != "slaTranscurridoMinutos"}


async def test_el_evento_de_cada_cambio_muestra_el_pendiente_como_quedo(temporal_env, sessions, pendiente_id):
    """Changes that touch only the lifecycle columns build their event's view from the locked row and
    the new values; it must be exactly the view read back once the change is committed."""
    personas = await personas_demo(sessions)
    coordinadora, tecnico = personas.actores["coordinadora"], personas.tecnicos[0]
    comandos = Comandos(temporal_env.client, sessions, TASK_QUEUE)
    pasos = [
        (Accion.ASIGNAR, OrdenAccion(actor=coordinadora, tecnico_id=tecnico.empleado_id)),
        (Accion.COMENZAR, OrdenAccion(actor=tecnico)),
        (Accion.PAUSAR, OrdenAccion(actor=tecnico, motivo="almuerzo")),
        (Accion.CONTINUAR, OrdenAccion(actor=tecnico)),
        (Accion.TERMINAR, OrdenAccion(actor=tecnico)),
    ]
    for accion, orden in pasos:
        vivo = await comandos.ejecutar(pendiente_id, accion, orden)
        evento = await _ultimo_evento(sessions, pendiente_id)
        async with sessions() as s:
            leida = await vista_pendiente(s, pendiente_id)
        assert evento["pendiente"]["version"] == vivo.seq, accion
        assert _sin_reloj(evento["pendiente"]) == _sin_reloj(leida), accion
    async with sessions() as s:
        sesiones = (
            await s.execute(
                select(m.PendienteTiempo.hora_inicio, m.PendienteTiempo.hora_fin)
                .where(m.PendienteTiempo.pendiente_id == pendiente_id)
                .order_by(m.PendienteTiempo.id)
            )
        ).all()
    # comenzar and continuar opened a session each; pausar and terminar closed them.
    assert len(sesiones) == 2 and all(fin is not None and fin >= inicio for inicio, fin in sesiones)


async def _en_una_actividad(sessions, consulta, parametros) -> ApplicationError:
    async def actividad() -> None:
        async with sessions() as s:
            with sin_internos():
                await s.execute(consulta, parametros)

    with pytest.raises(ApplicationError) as fallo:
        await ActivityEnvironment().run(actividad)
    return fallo.value


async def test_una_sentencia_que_no_llega_a_postgres_es_un_error_interno_sin_reintentos(sessions):
    # A bind parameter missing is a bug in our code: retrying would hold the pendiente's workflow forever.
    error = await _en_una_actividad(sessions, text("SELECT :falta_un_valor"), {})
    assert (error.type, error.non_retryable) == (TipoError.ERROR_INTERNO, True)
    assert "SELECT" not in error.message and "falta_un_valor" not in error.message


async def test_una_base_que_no_responde_se_reintenta_sin_mostrar_la_sentencia():
    with socket.socket() as libre:
        libre.bind(("127.0.0.1", 0))
        puerto = libre.getsockname()[1]
    motor = create_async_engine(f"postgresql+psycopg://nadie:clave-secreta@127.0.0.1:{puerto}/nada")
    try:
        error = await _en_una_actividad(async_sessionmaker(motor), text("SELECT :dato"), {"dato": "pppoe"})
    finally:
        await motor.dispose()
    assert (error.type, error.non_retryable) == (TipoError.BD_NO_DISPONIBLE, False)
    assert "clave-secreta" not in error.message and "pppoe" not in error.message
