"""Commands on pendientes, shared by the API, the demo seed and the benchmarks.

Creation is atomic from the caller's view: the id is reserved in Postgres (with the Idempotency-Key,
if any), then update-with-start asks the workflow to write the row. The workflow is the only writer,
so there is never a row without a workflow; a retry after a crash finds the reservation and finishes.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.service import RPCError, RPCStatusCode

from contrato import nombres
from contrato.mensajes import (
    ActorMsg,
    ConfigFlujo,
    DatosPendiente,
    EstadoVivo,
    InicioPendiente,
    OrdenAccion,
    OrdenDetalle,
    OrdenEdicion,
    OrdenEtiquetas,
    huella_orden,
)
from db import identidad
from db import models as m
from domain.acciones import Accion, Situacion, datos_conflicto
from domain.errores import (
    Conflicto,
    DatosInvalidos,
    NoDisponible,
    NoEncontrado,
    SinPermiso,
    desde_workflow,
)
from infra.config import Settings
from infra.creacion import iniciar_pendiente
from infra.seguridad import firmar
from infra.temporal import config_flujo, workflow_id

CREAR = "crear_pendiente"
_NUEVO_ID = func.nextval(func.pg_get_serial_sequence("pendientes", "id"))
# Binds a create's key to a new id unless the key is bound already (a plain table statement, built once:
# the ORM's insert path and building it anew cost more CPU than its round trip).
_CLAVES = m.IdempotencyKey.__table__
_ATAR_CLAVE = (
    insert(_CLAVES)
    .values(
        usuario_id=bindparam("usuario_id"),
        clave=bindparam("clave"),
        operacion=CREAR,
        request_hash=bindparam("request_hash"),
        recurso_id=_NUEVO_ID,
    )
    .on_conflict_do_nothing()
    .returning(_CLAVES.c.recurso_id)
)
# Prefix of the key the server gives a change sent without Idempotency-Key (answered on a 503).
CLAVE_AUTOMATICA = "auto-"


def huella(cuerpo: Any) -> str:
    """Stable fingerprint of a request body, to refuse an Idempotency-Key reused for another request."""
    canonico = json.dumps(cuerpo, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonico.encode()).hexdigest()


class Comandos:
    def __init__(
        self,
        client: Client,
        sessions: async_sessionmaker[AsyncSession],
        task_queue: str,
        timeout: timedelta = timedelta(seconds=10),
        flujo: ConfigFlujo | None = None,
    ) -> None:
        self._client = client
        self._sessions = sessions
        self._task_queue = task_queue
        self._timeout = timeout
        self._flujo = flujo or ConfigFlujo()
        self._clave_firma: bytes | None = None

    async def firma_de(self, pendiente_id: int, cambio_id: str, actor: ActorMsg) -> str:
        """Sign who asks (the worker writes nothing whose actor it cannot verify)."""
        if self._clave_firma is None:
            async with self._sessions() as s:
                self._clave_firma = await identidad.clave_de_firma(s)
        return firmar(self._clave_firma, pendiente_id, cambio_id, actor.canonico())

    async def inicio(self, pendiente_id: int, datos: DatosPendiente, actor: ActorMsg) -> InicioPendiente:
        """The workflow's input for a new pendiente, its actor signed."""
        firma = await self.firma_de(pendiente_id, "crear", actor)
        return InicioPendiente(
            pendiente_id=pendiente_id, datos=datos, actor=actor, config=self._flujo, firma=firma
        )

    @property
    def client(self) -> Client:
        return self._client

    @property
    def task_queue(self) -> str:
        return self._task_queue

    @classmethod
    def desde_settings(
        cls, client: Client, sessions: async_sessionmaker[AsyncSession], settings: Settings
    ) -> Comandos:
        flujo = config_flujo(settings)
        timeout = timedelta(seconds=settings.update_timeout_seconds)
        return cls(client, sessions, settings.temporal_task_queue, timeout, flujo)

    async def reservar_id(self, usuario_id: int | None, clave: str | None, request_hash: str) -> int:
        """The pendiente id for this request: a new one, or the one already bound to the key."""
        async with self._sessions() as s:
            return (await self._reservar(s, usuario_id, clave, request_hash))[0]

    async def _reservar(
        self, s: AsyncSession, usuario_id: int | None, clave: str | None, request_hash: str
    ) -> tuple[int, bool]:
        """(the id, whether its row exists already: an earlier request with the key got that far), in
        `s`'s transaction, which it commits (its connection goes back to the pool: the workflow may be
        slow). With a key, one statement binds it to a new id unless it is bound already (then a sequence
        value is skipped: ids may have gaps, never duplicates)."""
        try:
            if not (clave and usuario_id is not None):
                return await s.scalar(select(_NUEVO_ID)), False
            valores = {"usuario_id": usuario_id, "clave": clave, "request_hash": request_hash}
            guardado = await s.scalar(_ATAR_CLAVE, valores)
            if guardado is not None:
                return guardado, False
            # The key was bound before (a retry, or a concurrent request with it, whose commit the insert
            # waited for): its id, if for this body, and whether the row is written.
            previo = await self._id_de_clave(s, usuario_id, clave, request_hash)
            escrito = previo is not None and bool(
                await s.scalar(select(exists().where(m.Pendiente.id == previo)))
            )
            return previo, escrito
        except Exception:
            await s.rollback()
            raise
        finally:
            if s.in_transaction():
                await s.commit()

    async def _id_de_clave(
        self, s: AsyncSession, usuario_id: int, clave: str, request_hash: str
    ) -> int | None:
        previo = await s.get(m.IdempotencyKey, (usuario_id, clave))
        if previo is None:
            return None
        if previo.operacion != CREAR or previo.request_hash != request_hash:
            raise DatosInvalidos(
                "la cabecera Idempotency-Key ya se usó con otra petición", {"campo": "Idempotency-Key"}
            )
        return previo.recurso_id

    async def crear_pendiente(
        self,
        datos: DatosPendiente,
        actor: ActorMsg,
        clave: str | None = None,
        request_hash: str = "",
        session: AsyncSession | None = None,
    ) -> int:
        """Reserve the id (in `session`, committing it: the API's request session, which has just
        checked the body, saves a connection checkout; else in a session of its own), then start the
        workflow unless the row is written already."""
        request_hash = request_hash or huella(datos.model_dump(mode="json"))
        if session is None:
            async with self._sessions() as s:
                pendiente_id, escrito = await self._reservar(s, actor.usuario_id, clave, request_hash)
        else:
            pendiente_id, escrito = await self._reservar(session, actor.usuario_id, clave, request_hash)
        if escrito:
            return pendiente_id
        inicio = await self.inicio(pendiente_id, datos, actor)
        await iniciar_pendiente(self._client, self._task_queue, inicio, self._timeout)
        return pendiente_id

    async def ejecutar(self, pendiente_id: int, accion: Accion, orden: OrdenAccion) -> EstadoVivo:
        """Send one action as an Update and wait for its result (refusals become our errors)."""
        return await self._update(pendiente_id, accion.value, orden)

    async def editar(self, pendiente_id: int, orden: OrdenEdicion) -> EstadoVivo:
        """Edit header fields through the workflow, so search attributes and timers follow."""
        return await self._update(pendiente_id, nombres.EDITAR, orden)

    async def guardar_detalle(self, pendiente_id: int, orden: OrdenDetalle) -> EstadoVivo:
        """Create or edit the type detail through the workflow (assigning depends on it)."""
        return await self._update(pendiente_id, nombres.GUARDAR_DETALLE, orden)

    async def etiquetar(self, pendiente_id: int, orden: OrdenEtiquetas) -> EstadoVivo:
        """Set, add or remove labels through the workflow (historial, version and search attribute)."""
        return await self._update(pendiente_id, nombres.ETIQUETAR, orden)

    async def eliminar(self, pendiente_id: int, orden: OrdenAccion) -> EstadoVivo:
        """Soft delete (REGISTRADO or CANCELADO only); the workflow ends."""
        return await self._update(pendiente_id, nombres.ELIMINAR, orden)

    async def _update(self, pendiente_id: int, nombre: str, orden: Any) -> EstadoVivo:
        """Every change carries a key (the client's, scoped by user, or one made here) so that its
        outcome can be learnt and a retry with it applies at most once. The Temporal update id adds
        the request's fingerprint: the same key for another request reaches the workflow (which
        refuses it) instead of being answered with the earlier outcome."""
        if not orden.clave:
            orden = orden.model_copy(update={"clave": f"{orden.actor.usuario_id}:{self.clave_automatica()}"})
        huella = huella_orden(nombre, orden)
        update_id = f"{orden.clave}#{huella}"
        orden = orden.model_copy(
            update={"firma": await self.firma_de(pendiente_id, orden.clave, orden.actor)}
        )
        handle = self._client.get_workflow_handle(workflow_id(pendiente_id))
        try:
            try:
                return await self._enviar(handle, nombre, orden, update_id)
            except (Conflicto, DatosInvalidos, SinPermiso) as rechazo:
                # A refusal may come from a workflow that lost this very change in a crash (Postgres has
                # it: e.g. a postponement whose date has passed meanwhile) or that is behind Postgres.
                if await self.ya_comprometido(pendiente_id, orden.clave, huella):
                    await handle.execute_update(nombres.SINCRONIZAR, rpc_timeout=self._timeout)
                    return await handle.query(
                        nombres.ESTADO, result_type=EstadoVivo, rpc_timeout=self._timeout
                    )
                if not isinstance(rechazo, Conflicto) or not await self._flujo_atrasado(
                    pendiente_id, rechazo
                ):
                    raise
                await handle.execute_update(nombres.SINCRONIZAR, rpc_timeout=self._timeout)
                return await self._enviar(handle, nombre, orden, f"{update_id}~sincronizado")
        except WorkflowUpdateRPCTimeoutOrCancelledError:
            raise self.sin_respuesta(pendiente_id, orden.clave) from None
        except RPCError as error:
            if error.status is RPCStatusCode.NOT_FOUND:
                raise await self._sin_flujo(pendiente_id) from None
            raise self.sin_respuesta(pendiente_id, orden.clave) from None

    async def _enviar(self, handle: Any, nombre: str, orden: Any, update_id: str) -> EstadoVivo:
        try:
            return await handle.execute_update(
                nombre, orden, id=update_id, result_type=EstadoVivo, rpc_timeout=self._timeout
            )
        except WorkflowUpdateFailedError as error:
            raise desde_workflow(error) from None

    async def ya_comprometido(self, pendiente_id: int, clave: str, huella: str) -> bool:
        """Postgres holds this very request (same key, same fingerprint): it was applied."""
        async with self._sessions() as s:
            previa = await s.scalar(
                select(m.Historial.huella).where(
                    m.Historial.pendiente_id == pendiente_id, m.Historial.cambio_id == clave
                )
            )
        return previa == huella

    async def _flujo_atrasado(self, pendiente_id: int, conflicto: Conflicto) -> bool:
        visto = conflicto.data.get("version") if isinstance(conflicto.data, dict) else None
        if not isinstance(visto, int):
            return False
        async with self._sessions() as s:
            comprometido = await s.scalar(select(m.Pendiente.seq).where(m.Pendiente.id == pendiente_id))
        return comprometido is not None and comprometido != visto

    @staticmethod
    def clave_automatica() -> str:
        """The key of a change sent without Idempotency-Key (a 503 answers it: the outcome can be learnt)."""
        return f"{CLAVE_AUTOMATICA}{uuid.uuid4().hex}"

    @staticmethod
    def sin_respuesta(pendiente_id: int, clave: str) -> NoDisponible:
        """No answer in time: the change may still be applied. Say how to learn its outcome."""
        propia = clave.split(":", 1)[-1]
        data = {
            "idempotencyKey": propia,
            "resultado": f"/api/pendientes/{pendiente_id}/cambios/{propia}",
        }
        mensaje = (
            "el motor de flujos no respondió a tiempo; la acción pudo aplicarse: consulte el resultado "
            "o reintente con la misma Idempotency-Key (se aplica una sola vez)"
        )
        return NoDisponible(mensaje, data)

    async def _sin_flujo(self, pendiente_id: int) -> Conflicto | NoEncontrado:
        """No running workflow: the pendiente is closed (its workflow completed) or does not exist."""
        async with self._sessions() as s:
            fila = await s.get(m.Pendiente, pendiente_id)
        if fila is None or not fila.vigente:
            return NoEncontrado(f"pendiente {pendiente_id} no encontrado", {"id": pendiente_id})
        situacion = Situacion(estado=fila.estado, estado_tecnico=fila.estado_tecnico, tipo=fila.tipo)
        data = datos_conflicto(situacion, fila.seq)
        return Conflicto(f"el pendiente está {fila.estado} y ya no admite acciones", data)
