"""The API reserves a create's id in the request's own session and commits it before the workflow is
asked to write the row: the connection is back in the pool while the workflow works (a slow engine must
not starve it), and the key is bound even if the answer never comes. A key whose row is written already
answers its id without asking the engine again. Driven through Comandos with a stand-in engine that
records what it saw."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from api.pendientes.comandos import Comandos
from contrato.mensajes import DatosPendiente, EstadoVivo
from db import models as m
from domain.errores import DatosInvalidos, NoDisponible
from ops.demo import personas_demo
from tests.conftest import TASK_QUEUE


class MotorLento:
    """A Temporal client that never answers an update-with-start; it notes whether the caller's session
    still held a transaction (hence a connection) and whether the key was committed at that moment."""

    def __init__(self, session, sessions, usuario_id: int, clave: str) -> None:
        self.session, self.sessions, self.usuario_id, self.clave = session, sessions, usuario_id, clave
        self.llamadas: list[tuple[bool, bool]] = []

    async def execute_update_with_start_workflow(self, *args, **kwargs) -> EstadoVivo:
        async with self.sessions() as otra:
            visible = await otra.get(m.IdempotencyKey, (self.usuario_id, self.clave)) is not None
        self.llamadas.append((self.session.in_transaction(), visible))
        raise NoDisponible("sin respuesta")


@pytest.fixture
async def datos(sessions, demo):
    personas = await personas_demo(sessions)
    coordinadora = personas.actores["coordinadora"]
    async with sessions() as s:
        cliente = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000005"))
    cuerpo = DatosPendiente(
        cliente_id=cliente,
        registrado_por=coordinadora.empleado_id,
        tipo="AVERIA",
        lugar="PUNO",
        prioridad="MEDIA",
        fecha_pendiente=datetime.now(UTC) + timedelta(days=1),
        detalle={"descripcion_falla": "sin señal"},
    )
    return cuerpo, coordinadora


async def test_la_conexion_vuelve_al_pool_antes_de_esperar_al_flujo(sessions, datos):
    cuerpo, coordinadora = datos
    clave = f"sesion-{datetime.now(UTC).timestamp()}"
    async with sessions() as session:
        await session.execute(select(m.Usuario.id).limit(1))  # the request has read its user already
        motor = MotorLento(session, sessions, coordinadora.usuario_id, clave)
        comandos = Comandos(motor, sessions, TASK_QUEUE)

        with pytest.raises(NoDisponible):
            await comandos.crear_pendiente(cuerpo, coordinadora, clave, "huella", session=session)

    assert motor.llamadas == [(False, True)]


async def test_una_clave_con_su_fila_escrita_no_vuelve_al_motor(temporal_env, worker, sessions, datos):
    cuerpo, coordinadora = datos
    clave = f"escrita-{datetime.now(UTC).timestamp()}"
    real = Comandos(temporal_env.client, sessions, TASK_QUEUE)
    pendiente_id = await real.crear_pendiente(cuerpo, coordinadora, clave, "h")
    async with sessions() as session:
        motor = MotorLento(session, sessions, coordinadora.usuario_id, clave)
        comandos = Comandos(motor, sessions, TASK_QUEUE)

        otra_vez = await comandos.crear_pendiente(cuerpo, coordinadora, clave, "h", session=session)
        assert otra_vez == pendiente_id

        # The same key for another request is refused, and the session is left usable.
        with pytest.raises(DatosInvalidos):
            await comandos.crear_pendiente(cuerpo, coordinadora, clave, "otra", session=session)
        leido = await session.scalar(select(m.Pendiente.id).where(m.Pendiente.id == pendiente_id))
        assert leido == pendiente_id
    assert motor.llamadas == []
