"""The occurrence of a repeating work order: reserve it, create its pendiente, assign the technician.

Exactly once per occurrence, whatever retries: the reservation row (repetitivo, planned instant) binds
the occurrence to one pendiente id drawn from the pendientes' sequence (a unique key, so a concurrent or
repeated attempt finds the same id); the pendiente is then created the way the API creates one
(infra/creacion.py: update-with-start, USE_EXISTING + REJECT_DUPLICATE), and the technician assigned with
an Update whose key is the occurrence's, which the workflow answers once. The actor is the system on
behalf of the template, signed here with the same key the API signs with (the worker verifies it)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import exists, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import Client, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from activities.persistencia import sin_internos
from contrato import nombres
from contrato.mensajes import ActorMsg, ConfigFlujo, DatosPendiente, EstadoVivo, InicioPendiente, OrdenAccion
from contrato.repetitivos import Desenlace, Ocurrencia, ResultadoOcurrencia
from db import models as m
from db.identidad import clave_de_firma
from domain.acciones import Accion
from domain.errores import ErrorPendientes, NoDisponible, TipoError, desde_workflow
from domain.repetitivos import PERMISOS_OCURRENCIA, nombre_actor
from infra.creacion import iniciar_pendiente
from infra.seguridad import firmar
from infra.temporal import workflow_id


def actor_de(repetitivo_id: int) -> ActorMsg:
    """Who creates and assigns an occurrence's pendiente (its historial says so)."""
    return ActorMsg(nombre=nombre_actor(repetitivo_id), permisos=PERMISOS_OCURRENCIA)


def clave_asignacion(ocurrencia: Ocurrencia) -> str:
    """The assignment's Idempotency-Key: one per occurrence."""
    return f"repetitivo-{ocurrencia.repetitivo_id}:{ocurrencia.programada.isoformat()}:asignar"


class Repetitivos:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        client: Client,
        task_queue: str,
        flujo: ConfigFlujo | None = None,
        timeout: timedelta = timedelta(seconds=30),
    ) -> None:
        self._sessions = sessions
        self._client = client
        self._task_queue = task_queue
        self._flujo = flujo or ConfigFlujo()
        self._timeout = timeout
        self._clave: bytes | None = None

    @activity.defn(name=nombres.CREAR_OCURRENCIA)
    async def crear_ocurrencia(self, ocurrencia: Ocurrencia) -> ResultadoOcurrencia:
        with sin_internos():
            async with self._sessions() as s:
                plantilla = await s.get(m.Repetitivo, ocurrencia.repetitivo_id)
                pendiente_id = await self._reservado(s, ocurrencia)
            if plantilla is None:
                raise ApplicationError(
                    f"repetitivo {ocurrencia.repetitivo_id} no existe",
                    type=TipoError.NO_ENCONTRADO,
                    non_retryable=True,
                )
            if pendiente_id is None:
                # A paused or deleted template creates nothing new (a manual trigger included); an
                # occurrence reserved before the pause still finishes.
                if not plantilla.vigente or plantilla.pausado:
                    motivo = "plantilla eliminada" if not plantilla.vigente else "plantilla pausada"
                    return ResultadoOcurrencia(desenlace=Desenlace.OMITIDA, aviso=motivo)
                pendiente_id = await self._reservar(ocurrencia)
            await self._crear(pendiente_id, plantilla, ocurrencia)
        resultado = ResultadoOcurrencia(desenlace=Desenlace.CREADO, pendiente_id=pendiente_id)
        if plantilla.tecnico_id is not None:
            asignado, aviso = await self._asignar(pendiente_id, plantilla.tecnico_id, ocurrencia)
            resultado = resultado.model_copy(update={"asignado_a": asignado, "aviso": aviso})
        return resultado

    async def _reservado(self, s: AsyncSession, ocurrencia: Ocurrencia) -> int | None:
        return await s.scalar(
            select(m.OcurrenciaRepetitivo.pendiente_id).where(
                m.OcurrenciaRepetitivo.repetitivo_id == ocurrencia.repetitivo_id,
                m.OcurrenciaRepetitivo.programada == ocurrencia.programada,
            )
        )

    async def _reservar(self, ocurrencia: Ocurrencia) -> int:
        """Bind the occurrence to a new pendiente id; an attempt that lost the race gets the winner's."""
        async with self._sessions.begin() as s:
            nuevo = await s.scalar(text("SELECT nextval(pg_get_serial_sequence('pendientes', 'id'))"))
            guardado = await s.scalar(
                insert(m.OcurrenciaRepetitivo)
                .values(
                    repetitivo_id=ocurrencia.repetitivo_id,
                    programada=ocurrencia.programada,
                    pendiente_id=nuevo,
                )
                .on_conflict_do_nothing()
                .returning(m.OcurrenciaRepetitivo.pendiente_id)
            )
        if guardado is not None:
            return guardado
        async with self._sessions() as s:
            return await self._reservado(s, ocurrencia)

    async def _firma(self, pendiente_id: int, cambio_id: str, actor: ActorMsg) -> str:
        if self._clave is None:
            async with self._sessions() as s:
                self._clave = await clave_de_firma(s)
        return firmar(self._clave, pendiente_id, cambio_id, actor.canonico())

    async def _crear(self, pendiente_id: int, plantilla: m.Repetitivo, ocurrencia: Ocurrencia) -> None:
        async with self._sessions() as s:
            if await s.scalar(select(exists().where(m.Pendiente.id == pendiente_id))):
                return  # an earlier attempt created it
        actor = actor_de(plantilla.id)
        datos = DatosPendiente(
            cliente_id=plantilla.cliente_id,
            registrado_por=plantilla.registrado_por,
            tipo=plantilla.tipo,
            lugar=plantilla.lugar,
            prioridad=plantilla.prioridad,
            empresa=plantilla.empresa,
            direccion=plantilla.direccion,
            fecha_pendiente=ocurrencia.programada,
            detalle=dict(plantilla.detalle),
            repetitivo_id=plantilla.id,
        )
        inicio = InicioPendiente(
            pendiente_id=pendiente_id,
            datos=datos,
            actor=actor,
            config=self._flujo,
            firma=await self._firma(pendiente_id, "crear", actor),
        )
        try:
            await iniciar_pendiente(self._client, self._task_queue, inicio, self._timeout)
        except NoDisponible as error:
            raise ApplicationError(error.mensaje, type=TipoError.BD_NO_DISPONIBLE) from None
        except ErrorPendientes as error:
            # The template's data was refused (e.g. its client was deleted): retrying cannot help.
            raise ApplicationError(
                error.mensaje, type=TipoError.DATOS_INVALIDOS, non_retryable=True
            ) from None

    async def _asignar(
        self, pendiente_id: int, tecnico_id: int, ocurrencia: Ocurrencia
    ) -> tuple[int | None, str | None]:
        """Assign the template's technician; a refusal leaves the pendiente for dispatch, with a note."""
        actor = actor_de(ocurrencia.repetitivo_id)
        clave = clave_asignacion(ocurrencia)
        orden = OrdenAccion(
            actor=actor,
            clave=clave,
            tecnico_id=tecnico_id,
            firma=await self._firma(pendiente_id, clave, actor),
        )
        handle = self._client.get_workflow_handle(workflow_id(pendiente_id))
        try:
            vivo = await handle.execute_update(
                Accion.ASIGNAR.value, orden, id=clave, result_type=EstadoVivo, rpc_timeout=self._timeout
            )
        except WorkflowUpdateFailedError as error:
            return None, f"sin asignar: {desde_workflow(error).mensaje}"
        except WorkflowUpdateRPCTimeoutOrCancelledError:
            raise ApplicationError(
                "el pendiente no respondió a tiempo", type=TipoError.BD_NO_DISPONIBLE
            ) from None
        except RPCError as error:
            if error.status is RPCStatusCode.NOT_FOUND:
                return None, "sin asignar: el pendiente ya no admite acciones"
            raise ApplicationError("el motor de flujos no está disponible") from None
        return vivo.asignado_a, None
