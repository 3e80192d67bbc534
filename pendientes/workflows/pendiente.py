"""PendienteWorkflow: the one writer of a pendiente's lifecycle.

Every action of domain/acciones.py is an Update named like the action, with a validator that refuses
it before anything is written. Accepted actions are persisted by a local activity (row + historial in
one transaction, idempotent by sequence number) and then reflected in the search attributes.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from pendientes.domain.acciones import (
        DATOS_REQUERIDOS,
        Accion,
        Rechazo,
        acciones_permitidas,
        acciones_posibles,
        evaluar,
    )
    from pendientes.domain.enums import EstadoPendiente
    from pendientes.workflows import busqueda
    from pendientes.workflows.mensajes import (
        AccionesDisponibles,
        ActorMsg,
        Cambio,
        EstadoVivo,
        InicioPendiente,
        OrdenAccion,
    )

# Activity names are part of history: never rename without workflow.patched.
REGISTRAR_PENDIENTE = "registrar_pendiente"
APLICAR_CAMBIO = "aplicar_cambio"

# Error type for missing or invalid action data (the others come from domain.Rechazo).
DATOS_INVALIDOS = "DatosInvalidos"

_PERSISTENCIA = dict(
    start_to_close_timeout=timedelta(seconds=30),
    # Postgres may be briefly down: keep retrying transient errors, never the refusals.
    retry_policy=RetryPolicy(maximum_interval=timedelta(seconds=10)),
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
        self._datos = inicio.datos
        self._vivo: EstadoVivo | None = inicio.vivo
        self._fallo_creacion: ApplicationError | None = None
        # Handlers await activities; the lock keeps two actions from interleaving on stale state.
        self._lock = asyncio.Lock()
        for accion in Accion:
            self._registrar_handler(accion)

    @workflow.run
    async def run(self, inicio: InicioPendiente) -> EstadoVivo:
        if self._vivo is None:
            await self._crear(inicio)
        await workflow.wait_condition(lambda: self._vivo.estado is EstadoPendiente.FINALIZADO)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._vivo

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

    # -- actions -----------------------------------------------------------------------------

    def _registrar_handler(self, accion: Accion) -> None:
        async def handler(orden: OrdenAccion) -> EstadoVivo:
            return await self._ejecutar(accion, orden)

        def validator(orden: OrdenAccion) -> None:
            self._preparar(accion, orden)

        workflow.set_update_handler(accion.value, handler, validator=validator)

    def _rechazo(self, tipo: str, mensaje: str) -> ApplicationError:
        vivo = self._vivo
        detalle = {
            "estado": vivo.estado.value if vivo else None,
            "estadoTecnico": vivo.estado_tecnico.value if vivo else None,
            "accionesPosibles": [a.value for a in acciones_posibles(vivo.situacion())] if vivo else [],
        }
        return ApplicationError(mensaje, detalle, type=tipo, non_retryable=True)

    def _preparar(self, accion: Accion, orden: OrdenAccion) -> EstadoVivo:
        """Check the action against the domain rules; return the state it leads to, or raise."""
        if self._vivo is None:
            raise self._rechazo(Rechazo.TRANSICION_INVALIDA.value, "el pendiente aún no está registrado")
        decision = evaluar(accion, self._vivo.situacion(), orden.actor.a_dominio())
        if not decision.permitida:
            raise self._rechazo(decision.rechazo.value, decision.motivo)
        faltan = [campo for campo in DATOS_REQUERIDOS.get(accion, ()) if getattr(orden, campo) in (None, "")]
        if faltan:
            raise self._rechazo(DATOS_INVALIDOS, f"'{accion}' requiere: {', '.join(faltan)}")
        cambios: dict[str, object] = {
            "estado": decision.estado,
            "estado_tecnico": decision.estado_tecnico,
            "seq": self._vivo.seq + 1,
        }
        if accion is Accion.ASIGNAR:
            cambios["asignado_a"] = orden.tecnico_id
        elif accion is Accion.REASIGNAR:
            cambios["asignado_a"] = None
        elif accion is Accion.POSTERGAR:
            if orden.nueva_fecha <= workflow.now():
                raise self._rechazo(DATOS_INVALIDOS, "la nueva fecha debe ser posterior a la fecha actual")
            cambios.update(fecha_pendiente=orden.nueva_fecha, vencido=False)
        elif accion in (Accion.FINALIZAR, Accion.CANCELAR):
            cambios["vencido"] = False
        elif accion is Accion.CONFIGURAR_VLAN:
            cambios["vlan_configurada"] = True
        elif accion is Accion.CONFIGURAR_PPPOE:
            cambios["pppoe_configurado"] = True
        return self._vivo.model_copy(update=cambios)

    async def _ejecutar(self, accion: Accion, orden: OrdenAccion) -> EstadoVivo:
        async with self._lock:
            # Re-check under the lock: a concurrent action may have changed the state since validation.
            despues = self._preparar(accion, orden)
            cambio = Cambio(
                pendiente_id=self._vivo.pendiente_id,
                seq=despues.seq,
                accion=accion.value,
                actor=orden.actor,
                antes=self._vivo,
                despues=despues,
                detalles=orden.motivo,
                vlan=orden.vlan,
                pppoe_usuario=orden.pppoe_usuario,
                pppoe_password_cifrado=orden.pppoe_password_cifrado,
            )
            try:
                await workflow.execute_local_activity(APLICAR_CAMBIO, cambio, **_PERSISTENCIA)
            except ActivityError as error:
                raise _error_actividad(error) from None
            self._vivo = despues
            workflow.upsert_search_attributes(busqueda.actualizaciones(self._datos, despues))
            workflow.set_current_details(self._resumen())
            return despues

    def _resumen(self) -> str:
        v = self._vivo
        tecnico = f"técnico {v.asignado_a}" if v.asignado_a else "sin técnico"
        return f"{v.tipo} · {v.estado} · red {v.estado_tecnico} · {tecnico}"
