"""PendienteWorkflow: the one writer of a pendiente's lifecycle.

Every action of domain/acciones.py is an Update named like the action, with a validator that refuses
it before anything is written, and a Signal of the same name for fire-and-forget callers (a refused
signal is recorded as rejected, never fails the workflow). Accepted changes are persisted by a local
activity (row + historial in one transaction, idempotent by sequence number), then reflected in the
search attributes. Durable timers bring postponed pendientes back, flag overdue ones and archive
cancelled ones after their retention.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from pendientes.domain import edicion, plazos
    from pendientes.domain.acciones import (
        DATOS_REQUERIDOS,
        Accion,
        Rechazo,
        acciones_permitidas,
        evaluar,
    )
    from pendientes.domain.enums import EstadoPendiente
    from pendientes.workflows import busqueda
    from pendientes.workflows.mensajes import (
        SISTEMA,
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
    )

# Activity names are part of history: never rename without workflow.patched.
REGISTRAR_PENDIENTE = "registrar_pendiente"
APLICAR_CAMBIO = "aplicar_cambio"
CARGAR_ACTOR = "cargar_actor"

# Error types besides domain.Rechazo: the contract the API maps to HTTP statuses.
DATOS_INVALIDOS = "DatosInvalidos"
VERSION_OBSOLETA = "VersionObsoleta"

# History entries the workflow writes on its own (actor `sistema`) or for refused signals.
VENCER, REACTIVAR, ARCHIVAR, SENAL_RECHAZADA = "vencer", "reactivar", "archivar", "senal_rechazada"
RESULTADOS_RECORDADOS = 100

_PERSISTENCIA = dict(
    start_to_close_timeout=timedelta(seconds=30),
    # Postgres may be briefly down: keep retrying transient errors, never the refusals nor a bug
    # (a programming error would otherwise retry forever and stall the pendiente).
    retry_policy=RetryPolicy(
        maximum_interval=timedelta(seconds=10),
        non_retryable_error_types=[
            "TypeError",
            "AttributeError",
            "KeyError",
            "ValueError",
            "ProgrammingError",
            "DataError",
        ],
    ),
)


def _error_actividad(error: ActivityError) -> ApplicationError:
    """An activity's refusal (e.g. an invalid technician) becomes the update's error."""
    causa = error.cause
    if isinstance(causa, ApplicationError):
        return ApplicationError(causa.message, *causa.details, type=causa.type, non_retryable=True)
    return ApplicationError(str(error), type="ErrorInterno", non_retryable=True)


@workflow.defn
class PendienteWorkflow:
    @workflow.init
    def __init__(self, inicio: InicioPendiente) -> None:
        self._inicio = inicio
        self._vivo: EstadoVivo | None = inicio.vivo
        self._resultados: dict[str, EstadoVivo] = dict(inicio.resultados)
        self._fallo_creacion: ApplicationError | None = None
        self._eliminado = False
        # Handlers await activities; the lock keeps two changes from interleaving on stale state.
        self._lock = asyncio.Lock()
        for accion in Accion:
            self._registrar_handlers(accion)

    @workflow.run
    async def run(self, inicio: InicioPendiente) -> EstadoVivo:
        if self._vivo is None:
            await self._crear(inicio)
        while self._vivo.estado is not EstadoPendiente.FINALIZADO and not self._eliminado:
            if self._debe_continuar_como_nuevo():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(self._inicio.model_copy(update=self._para_continuar()))
            if not await self._esperar_cambio_o_plazo():
                break
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._vivo

    # -- creation ------------------------------------------------------------------------------

    async def _crear(self, inicio: InicioPendiente) -> None:
        async with self._lock:
            try:
                self._vivo = await workflow.execute_local_activity(
                    REGISTRAR_PENDIENTE, inicio, result_type=EstadoVivo, **_PERSISTENCIA
                )
            except ActivityError as error:
                self._fallo_creacion = _error_actividad(error)
        if self._fallo_creacion is not None:
            # No row was written: end the workflow so no workflow exists without its row.
            await workflow.wait_condition(workflow.all_handlers_finished)
            raise self._fallo_creacion
        workflow.set_current_details(self._resumen())

    @workflow.update
    async def registrar(self) -> EstadoVivo:
        """Sent with the start (update-with-start): answers once the row exists."""
        await workflow.wait_condition(lambda: self._vivo is not None or self._fallo_creacion is not None)
        if self._fallo_creacion is not None:
            raise self._fallo_creacion
        return self._vivo

    # -- queries -------------------------------------------------------------------------------

    @workflow.query
    def estado(self) -> EstadoVivo | None:
        return self._vivo

    @workflow.query
    def acciones(self, actor: ActorMsg) -> AccionesDisponibles | None:
        if self._vivo is None:
            return None
        permitidas = acciones_permitidas(self._vivo.situacion(), actor.a_dominio())
        return AccionesDisponibles(
            estado=self._vivo.estado, estado_tecnico=self._vivo.estado_tecnico, acciones=permitidas
        )

    # -- timers --------------------------------------------------------------------------------

    def _proximo_plazo(self):
        """The earliest system event due for the current state, as (instant, event) or None."""
        v = self._vivo
        retencion = self._inicio.config.retencion_cancelado
        candidatos = [
            (plazos.reactivacion(v.estado, v.fecha_pendiente), REACTIVAR),
            (plazos.vencimiento(v.estado, v.vencido, v.fecha_pendiente), VENCER),
            (plazos.archivo(v.estado, v.cancelado_en, retencion), ARCHIVAR),
        ]
        return min(((m, e) for m, e in candidatos if m is not None), default=None)

    async def _esperar_cambio_o_plazo(self) -> bool:
        """Wait for the next change or the next due system event. False when the workflow should end."""
        plazo = self._proximo_plazo()
        version = self._vivo.seq
        if plazo is not None:
            restante = (plazo[0] - workflow.now()).total_seconds()
            if restante > 0:
                try:
                    await workflow.wait_condition(
                        lambda: self._vivo.seq != version, timeout=restante, timeout_summary=plazo[1]
                    )
                    return True
                except TimeoutError:
                    pass
            return await self._evento_sistema(plazo[1])
        await workflow.wait_condition(lambda: self._vivo.seq != version or self._debe_continuar_como_nuevo())
        return True

    async def _evento_sistema(self, evento: str) -> bool:
        async with self._lock:
            plazo = self._proximo_plazo()
            if plazo is None or plazo[1] != evento or plazo[0] > workflow.now():
                return True  # a concurrent action changed the state while we waited for the lock
            v = self._vivo
            if evento == REACTIVAR:
                despues = v.model_copy(update={"estado": plazos.estado_reactivado(v.asignado_a)})
                detalle = "vuelve por sí solo en la fecha de postergación"
            elif evento == VENCER:
                despues = v.model_copy(update={"vencido": True})
                detalle = "terminó el día programado y el trabajo sigue abierto"
            else:
                despues = v
                detalle = "archivado al terminar el plazo para recuperarlo"
            await self._aplicar(evento, SISTEMA, despues, detalle)
        return evento != ARCHIVAR

    def _debe_continuar_como_nuevo(self) -> bool:
        info = workflow.info()
        limite = self._inicio.config.limite_historia
        return info.is_continue_as_new_suggested() or info.get_current_history_length() > limite

    def _para_continuar(self) -> dict[str, object]:
        recientes = dict(list(self._resultados.items())[-RESULTADOS_RECORDADOS:])
        return {"vivo": self._vivo, "resultados": recientes}

    # -- editing and deleting the header -------------------------------------------------------

    def _preparar_edicion(self, orden: OrdenEdicion) -> EstadoVivo:
        if self._vivo is None:
            raise self._rechazo(
                Rechazo.TRANSICION_INVALIDA.value, "el pendiente aún no está registrado", orden.actor
            )
        if motivo := edicion.motivo_no_editable(self._vivo.estado, orden.actor.permisos):
            raise self._rechazo(*motivo, orden.actor)
        self._verificar_version(orden.version, orden.actor)
        ajenos = set(orden.edicion.campos) - edicion.CAMPOS_EDITABLES
        if ajenos:
            raise self._rechazo(
                DATOS_INVALIDOS, f"no editables aquí: {', '.join(sorted(ajenos))}", orden.actor
            )
        if "fecha_pendiente" not in orden.edicion.campos:
            return self._vivo
        # A new schedule starts the overdue clock again.
        return self._vivo.model_copy(
            update={"fecha_pendiente": orden.edicion.fecha_pendiente, "vencido": False}
        )

    @workflow.update
    async def editar(self, orden: OrdenEdicion) -> EstadoVivo:
        """Edit header fields (EDITAR_PENDIENTE); search attributes and timers follow the new values."""
        async with self._lock:
            if orden.clave in self._resultados:
                return self._resultados[orden.clave]
            despues = self._preparar_edicion(orden)
            valores = orden.edicion.valores()
            datos = self._inicio.datos.model_copy(update=valores)
            detalle = "editado: " + ", ".join(sorted(valores))
            await self._aplicar("editar", orden.actor, despues, detalle, edicion=orden.edicion, datos=datos)
            if orden.clave:
                self._resultados[orden.clave] = self._vivo
            return self._vivo

    @editar.validator
    def _validar_edicion(self, orden: OrdenEdicion) -> None:
        if orden.clave not in self._resultados:
            self._preparar_edicion(orden)

    def _preparar_detalle(self, orden: OrdenDetalle) -> EstadoVivo:
        if self._vivo is None:
            raise self._rechazo(
                Rechazo.TRANSICION_INVALIDA.value, "el pendiente aún no está registrado", orden.actor
            )
        if motivo := edicion.motivo_sin_detalle(self._vivo.estado, orden.actor.permisos):
            raise self._rechazo(*motivo, orden.actor)
        self._verificar_version(orden.version, orden.actor)
        if orden.crear and self._vivo.tiene_detalle:
            raise self._rechazo(Rechazo.BLOQUEADO.value, "el pendiente ya tiene su detalle", orden.actor)
        if not orden.crear and not self._vivo.tiene_detalle:
            raise self._rechazo("NoEncontrado", "el pendiente aún no tiene detalle", orden.actor)
        ajenos = set(orden.detalle.campos) - edicion.CAMPOS_DETALLE[self._vivo.tipo]
        if ajenos:
            mensaje = f"un detalle de {self._vivo.tipo} no tiene: {', '.join(sorted(ajenos))}"
            raise self._rechazo(DATOS_INVALIDOS, mensaje, orden.actor)
        return self._vivo.model_copy(update={"tiene_detalle": True})

    @workflow.update
    async def guardar_detalle(self, orden: OrdenDetalle) -> EstadoVivo:
        """The type detail goes through the workflow: assigning depends on it."""
        async with self._lock:
            if orden.clave in self._resultados:
                return self._resultados[orden.clave]
            despues = self._preparar_detalle(orden)
            detalle = ("detalle registrado: " if orden.crear else "detalle editado: ") + ", ".join(
                sorted(orden.detalle.campos)
            )
            await self._aplicar(
                "detalle", orden.actor, despues, detalle, detalle_tipo=(orden.detalle, orden.crear)
            )
            if orden.clave:
                self._resultados[orden.clave] = self._vivo
            return self._vivo

    @guardar_detalle.validator
    def _validar_detalle(self, orden: OrdenDetalle) -> None:
        if orden.clave not in self._resultados:
            self._preparar_detalle(orden)

    def _preparar_eliminacion(self, orden: OrdenAccion) -> None:
        if self._vivo is None:
            raise self._rechazo(
                Rechazo.TRANSICION_INVALIDA.value, "el pendiente aún no está registrado", orden.actor
            )
        if motivo := edicion.motivo_no_eliminable(self._vivo.estado, orden.actor.permisos):
            raise self._rechazo(*motivo, orden.actor)
        self._verificar_version(orden.version, orden.actor)

    @workflow.update
    async def eliminar(self, orden: OrdenAccion) -> EstadoVivo:
        """Soft delete: the row leaves every list, and this workflow ends."""
        async with self._lock:
            if self._eliminado:
                return self._vivo
            self._preparar_eliminacion(orden)
            detalle = f"eliminado: {orden.motivo}" if orden.motivo else "eliminado"
            await self._aplicar("eliminar", orden.actor, self._vivo, detalle, eliminar=True)
            self._eliminado = True
            return self._vivo

    @eliminar.validator
    def _validar_eliminacion(self, orden: OrdenAccion) -> None:
        if not self._eliminado:
            self._preparar_eliminacion(orden)

    # -- actions -------------------------------------------------------------------------------

    def _registrar_handlers(self, accion: Accion) -> None:
        async def update(orden: OrdenAccion) -> EstadoVivo:
            return await self._ejecutar(accion, orden)

        def validator(orden: OrdenAccion) -> None:
            if orden.clave not in self._resultados:
                self._preparar(accion, orden)

        async def signal(orden: OrdenAccion) -> None:
            await self._senal(accion, orden)

        workflow.set_update_handler(accion.value, update, validator=validator)
        workflow.set_signal_handler(accion.value, signal)

    def _rechazo(self, tipo: str, mensaje: str, actor: ActorMsg) -> ApplicationError:
        v = self._vivo
        detalle = {
            "estado": v.estado.value if v else None,
            "estadoTecnico": v.estado_tecnico.value if v else None,
            "accionesPermitidas": [a.value for a in acciones_permitidas(v.situacion(), actor.a_dominio())]
            if v
            else [],
            "version": v.seq if v else None,
        }
        return ApplicationError(mensaje, detalle, type=tipo, non_retryable=True)

    def _verificar_version(self, version: int | None, actor: ActorMsg) -> None:
        if version is not None and version != self._vivo.seq:
            mensaje = f"el pendiente cambió: versión {self._vivo.seq}, esperada {version}"
            raise self._rechazo(VERSION_OBSOLETA, mensaje, actor)

    def _preparar(self, accion: Accion, orden: OrdenAccion) -> EstadoVivo:
        """Check the action against the domain rules; return the state it leads to, or raise."""
        if self._vivo is None:
            raise self._rechazo(
                Rechazo.TRANSICION_INVALIDA, "el pendiente aún no está registrado", orden.actor
            )
        decision = evaluar(accion, self._vivo.situacion(), orden.actor.a_dominio())
        if not decision.permitida:
            raise self._rechazo(decision.rechazo.value, decision.motivo, orden.actor)
        self._verificar_version(orden.version, orden.actor)
        faltan = [campo for campo in DATOS_REQUERIDOS.get(accion, ()) if getattr(orden, campo) in (None, "")]
        if faltan:
            raise self._rechazo(DATOS_INVALIDOS, f"'{accion}' requiere: {', '.join(faltan)}", orden.actor)
        cambios: dict[str, object] = {"estado": decision.estado, "estado_tecnico": decision.estado_tecnico}
        if accion is Accion.ASIGNAR:
            cambios["asignado_a"] = orden.tecnico_id
        elif accion is Accion.REASIGNAR:
            cambios["asignado_a"] = None
        elif accion is Accion.POSTERGAR:
            if orden.nueva_fecha <= workflow.now():
                mensaje = "la nueva fecha debe ser posterior a la fecha actual"
                raise self._rechazo(DATOS_INVALIDOS, mensaje, orden.actor)
            cambios.update(fecha_pendiente=orden.nueva_fecha, vencido=False, cancelado_en=None)
        elif accion is Accion.CANCELAR:
            cambios.update(vencido=False, cancelado_en=workflow.now())
        elif accion is Accion.FINALIZAR:
            cambios["vencido"] = False
        elif accion is Accion.CONFIGURAR_VLAN:
            cambios["vlan_configurada"] = True
        elif accion is Accion.CONFIGURAR_PPPOE:
            cambios["pppoe_configurado"] = True
        return self._vivo.model_copy(update=cambios)

    async def _ejecutar(self, accion: Accion, orden: OrdenAccion) -> EstadoVivo:
        async with self._lock:
            if orden.clave in self._resultados:
                return self._resultados[orden.clave]
            # Re-check under the lock: a concurrent action may have changed the state since validation.
            despues = self._preparar(accion, orden)
            await self._aplicar(accion.value, orden.actor, despues, orden.motivo, orden)
            if orden.clave:
                self._resultados[orden.clave] = self._vivo
            return self._vivo

    async def _senal(self, accion: Accion, orden: OrdenAccion) -> None:
        """Fire-and-forget: the actor is re-read from Postgres (a signal's payload proves nothing).
        A refusal is logged and recorded; an exception here would fail the whole workflow."""
        async with self._lock:
            actor = ActorMsg(nombre=f"señal del usuario {orden.actor.usuario_id}")
            try:
                actor = await self._actor_de_senal(orden)
                despues = self._preparar(accion, orden.model_copy(update={"actor": actor}))
                await self._aplicar(accion.value, actor, despues, orden.motivo, orden)
            except ApplicationError as error:
                workflow.logger.warning("signal %s refused: %s", accion.value, error.message)
                await self._registrar_rechazo(accion, actor, error.message)

    async def _registrar_rechazo(self, accion: Accion, actor: ActorMsg, motivo: str) -> None:
        if self._vivo is None:
            return
        try:
            await self._aplicar(SENAL_RECHAZADA, actor, self._vivo, f"{accion.value}: {motivo}")
        except ApplicationError as error:
            workflow.logger.error("could not record refused signal %s: %s", accion.value, error.message)

    async def _actor_de_senal(self, orden: OrdenAccion) -> ActorMsg:
        if orden.actor.usuario_id is None:
            raise ApplicationError("la señal no indica actor.usuario_id", type=Rechazo.SIN_PERMISO.value)
        try:
            actor = await workflow.execute_local_activity(
                CARGAR_ACTOR, orden.actor.usuario_id, result_type=ActorMsg | None, **_PERSISTENCIA
            )
        except ActivityError as error:
            raise _error_actividad(error) from None
        if actor is None:
            raise ApplicationError(
                "el usuario de la señal no existe o está inactivo", type=Rechazo.SIN_PERMISO.value
            )
        return actor

    async def _aplicar(
        self,
        accion: str,
        actor: ActorMsg,
        despues: EstadoVivo,
        detalles: str | None,
        orden: OrdenAccion | None = None,
        edicion: Edicion | None = None,
        eliminar: bool = False,
        detalle_tipo: tuple[Detalle, bool] | None = None,
        datos: DatosPendiente | None = None,
    ) -> None:
        """Persist one historial entry (and the change it records), then adopt the new state."""
        despues = despues.model_copy(update={"seq": self._vivo.seq + 1})
        cambio = Cambio(
            pendiente_id=self._vivo.pendiente_id,
            seq=despues.seq,
            accion=accion,
            actor=actor,
            antes=self._vivo,
            despues=despues,
            detalles=detalles,
            vlan=orden.vlan if orden else None,
            pppoe_usuario=orden.pppoe_usuario if orden else None,
            pppoe_password_cifrado=orden.pppoe_password_cifrado if orden else None,
            edicion=edicion,
            eliminar=eliminar,
            detalle=detalle_tipo[0] if detalle_tipo else None,
            crear_detalle=detalle_tipo[1] if detalle_tipo else False,
        )
        try:
            await workflow.execute_local_activity(APLICAR_CAMBIO, cambio, **_PERSISTENCIA)
        except ActivityError as error:
            raise _error_actividad(error) from None
        # Adopt the new state (and edited header) only once Postgres has it.
        self._vivo = despues
        if datos is not None:
            self._inicio = self._inicio.model_copy(update={"datos": datos})
        workflow.upsert_search_attributes(busqueda.actualizaciones(self._inicio.datos, despues))
        workflow.set_current_details(self._resumen())

    def _resumen(self) -> str:
        v = self._vivo
        tecnico = f"técnico {v.asignado_a}" if v.asignado_a else "sin técnico"
        vencido = " · VENCIDO" if v.vencido else ""
        return f"{v.tipo} · {v.estado} · red {v.estado_tecnico} · {tecnico}{vencido}"
