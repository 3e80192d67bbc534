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
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from pydantic.alias_generators import to_camel

    from contrato import nombres
    from contrato.mensajes import (
        SISTEMA,
        AccionesDisponibles,
        ActorMsg,
        Cambio,
        DatosPendiente,
        Detalle,
        EstadoVivo,
        InicioPendiente,
        OrdenAccion,
        OrdenDetalle,
        OrdenEdicion,
        OrdenEtiquetas,
        OrigenCambio,
        ResultadoCambio,
        huella_orden,
    )
    from domain import edicion, etiquetas, plazos, sla
    from domain.acciones import (
        DATOS_REQUERIDOS,
        Accion,
        acciones_permitidas,
        acciones_posibles,
        cambios_de,
        datos_conflicto,
        efecto_de,
        evaluar,
    )
    from domain.enums import EstadoPendiente
    from domain.errores import CAMPOS_DE_ACCION, TipoError, dato_invalido
    from workflows import busqueda

# History entries the workflow writes on its own (actor `sistema`) or for refused signals.
VENCER, REACTIVAR, ARCHIVAR, SENAL_RECHAZADA = "vencer", "reactivar", "archivar", "senal_rechazada"
# The timer of the next SLA escalation; its historial entry is the threshold's (domain/sla.py UMBRALES).
ESCALAR_SLA = "escalar_sla"
RESULTADOS_RECORDADOS = 100
# Search attributes are upserted only when their value changes (a visibility write each). Histories
# recorded before this upserted all of them on every change, and replay so.
SOLO_CAMBIOS_BUSQUEDA = "busqueda-solo-cambios"
# One durable timer per due instant: a change that leaves the next instant where it was keeps the
# running timer. Histories recorded before this cancelled and restarted it on every change.
TEMPORIZADOR_ESTABLE = "temporizador-estable"
# How many times one change catches up with Postgres before giving up (each catch-up adopts a newer
# committed record; more than a couple means something else keeps writing).
ALCANCES_MAXIMOS = 3

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
            TipoError.DATA_ERROR,
        ],
    ),
)


# The refusals our activities raise on purpose, with messages written for the user.
_RECHAZOS_DE_ACTIVIDAD = frozenset(
    {
        TipoError.DATOS_INVALIDOS,
        TipoError.CLAVE_REUTILIZADA,
        TipoError.NO_ENCONTRADO,
        TipoError.SIN_PERMISO,
        TipoError.TECNICO_INVALIDO,
    }
)


def _error_actividad(error: ActivityError) -> ApplicationError:
    """An activity's refusal (e.g. an invalid technician) becomes the update's error. Anything else (an
    exception the SDK converted, whose message may quote SQL and its parameters) becomes a fixed
    message: the update's failure is stored in the history and shown to the caller."""
    causa = error.cause
    if isinstance(causa, ApplicationError) and causa.type in _RECHAZOS_DE_ACTIVIDAD:
        return ApplicationError(causa.message, *causa.details, type=causa.type, non_retryable=True)
    return ApplicationError(
        "error interno al guardar el cambio", type=TipoError.ERROR_INTERNO, non_retryable=True
    )


def _handlers_de(accion: Accion) -> tuple[Any, Any]:
    """The update (with its validator) and the signal of one lifecycle action, as unbound methods."""

    async def update(self, orden: OrdenAccion) -> EstadoVivo:
        return await self._ejecutar(accion, orden)

    def validator(self, orden: OrdenAccion) -> None:
        if self._ya_aplicado(accion.value, orden) is None:
            self._preparar(accion, orden)

    async def signal(self, orden: OrdenAccion) -> None:
        await self._senal(accion, orden)

    metodo = workflow.update(name=accion.value)(update)
    metodo.validator(validator)
    return metodo, workflow.signal(name=accion.value)(signal)


def _con_acciones(cls: type) -> type:
    """Every lifecycle action's update and signal, defined once on the class. Registered per run (as
    they were) the SDK read the type hints of 34 handlers at every workflow start and every replay of
    an evicted one, about 4 ms of CPU each time; on the class it reads them once. Same names, same
    behaviour, same commands: recorded histories replay unchanged."""
    for accion in Accion:
        update, signal = _handlers_de(accion)
        setattr(cls, f"_update_{accion.name.lower()}", update)
        setattr(cls, f"_signal_{accion.name.lower()}", signal)
    return cls


@workflow.defn(name=nombres.FLUJO_PENDIENTE)
@_con_acciones
class PendienteWorkflow:
    @workflow.init
    def __init__(self, inicio: InicioPendiente) -> None:
        self._inicio = inicio
        self._vivo: EstadoVivo | None = inicio.vivo
        self._resultados: dict[str, EstadoVivo] = dict(inicio.resultados)
        self._huellas: dict[str, str] = dict(inicio.huellas)
        self._fallo_creacion: ApplicationError | None = None
        self._eliminado = False
        # The running timer of the next system event: (its instant, the sleeping task).
        self._temporizador: tuple[datetime, asyncio.Task[None]] | None = None
        # Handlers await activities; the lock keeps two changes from interleaving on stale state.
        self._lock = asyncio.Lock()

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
        # The clock starts with the pendiente. A history recorded before the SLA existed replays its
        # insert's recorded result, which has no clock: that pendiente keeps running without one.
        reloj = sla.iniciar(self._plazo_sla(inicio.datos), EstadoPendiente.REGISTRADO, workflow.now())
        async with self._lock:
            try:
                self._vivo = await workflow.execute_local_activity(
                    nombres.REGISTRAR_PENDIENTE,
                    inicio.model_copy(update={"sla": reloj}),
                    result_type=EstadoVivo,
                    **_PERSISTENCIA,
                )
            except ActivityError as error:
                self._fallo_creacion = _error_actividad(error)
        if self._fallo_creacion is not None:
            # No row was written: end the workflow so no workflow exists without its row.
            await workflow.wait_condition(workflow.all_handlers_finished)
            raise self._fallo_creacion
        workflow.set_current_details(self._resumen())

    @workflow.update(name=nombres.REGISTRAR)
    async def registrar(self) -> EstadoVivo:
        """Sent with the start (update-with-start): answers once the row exists."""
        await workflow.wait_condition(lambda: self._vivo is not None or self._fallo_creacion is not None)
        if self._fallo_creacion is not None:
            raise self._fallo_creacion
        return self._vivo

    # -- queries -------------------------------------------------------------------------------

    @workflow.query(name=nombres.ESTADO)
    def estado(self) -> EstadoVivo | None:
        return self._vivo

    @workflow.query(name=nombres.ACCIONES)
    def acciones(self, actor: ActorMsg | None = None) -> AccionesDisponibles | None:
        """The actions available now. With an actor (`{"usuario_id":…, "empleado_id":…, "permisos":[…]}`,
        as the API sends it): the ones that actor may take. Without input (ops in the Temporal UI: Queries
        -> acciones, no argument): every action the current state allows to somebody, whoever may take
        it; who may is the permission table of domain/acciones.py. None before the row exists."""
        if self._vivo is None:
            return None
        situacion = self._vivo.situacion()
        if actor is None:
            disponibles = acciones_posibles(situacion)
        else:
            disponibles = acciones_permitidas(situacion, actor.a_dominio())
        return AccionesDisponibles(
            estado=self._vivo.estado, estado_tecnico=self._vivo.estado_tecnico, acciones=disponibles
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
            (sla.proxima_escalada(v.sla) if v.sla else None, ESCALAR_SLA),
        ]
        return min(((m, e) for m, e in candidatos if m is not None), default=None)

    async def _esperar_cambio_o_plazo(self) -> bool:
        """Wait for the next change or the next due system event. False when the workflow should end."""
        plazo = self._proximo_plazo()
        version = self._vivo.seq
        if plazo is not None and workflow.patched(TEMPORIZADOR_ESTABLE):
            return await self._esperar_con_temporizador(plazo, version)
        if plazo is not None:
            restante = (plazo[0] - workflow.now()).total_seconds()
            if restante > 0:
                try:
                    await workflow.wait_condition(
                        lambda: self._vivo.seq != version or self._eliminado,
                        timeout=restante,
                        timeout_summary=plazo[1],
                    )
                    return True
                except TimeoutError:
                    pass
            return await self._evento_sistema(plazo[1])
        self._soltar_temporizador()
        await workflow.wait_condition(
            lambda: self._vivo.seq != version or self._eliminado or self._debe_continuar_como_nuevo()
        )
        return True

    async def _esperar_con_temporizador(self, plazo: tuple[datetime, str], version: int) -> bool:
        """Like a wait with a timeout, but the timer outlives the wait: a pausar or an edit that does not
        move the next due instant keeps it, instead of cancelling and starting one (two history
        events and a server timer per change)."""
        instante, evento = plazo
        if self._temporizador is None or self._temporizador[0] != instante:
            self._soltar_temporizador()
            restante = max((instante - workflow.now()).total_seconds(), 0)
            if restante > 0:
                dormir = workflow.sleep(restante, summary=evento)
                self._temporizador = (instante, asyncio.ensure_future(dormir))
        tarea = self._temporizador[1] if self._temporizador else None
        await workflow.wait_condition(
            lambda: self._vivo.seq != version or self._eliminado or tarea is None or tarea.done()
        )
        if self._vivo.seq != version or self._eliminado:
            return True
        self._temporizador = None
        return await self._evento_sistema(evento)

    def _soltar_temporizador(self) -> None:
        if self._temporizador is not None:
            self._temporizador[1].cancel()
            self._temporizador = None

    def _preparar_evento(self, evento: str) -> dict[str, Any] | None:
        plazo = self._proximo_plazo()
        if plazo is None or plazo[1] != evento or plazo[0] > workflow.now():
            return None  # a concurrent action (or the committed record) changed the state meanwhile
        v = self._vivo
        accion = evento
        if evento == REACTIVAR:
            despues = v.model_copy(update={"estado": plazos.estado_reactivado(v.asignado_a)})
            detalle = "vuelve por sí solo en la fecha de postergación"
        elif evento == VENCER:
            despues = v.model_copy(update={"vencido": True})
            detalle = "terminó el día programado y el trabajo sigue abierto"
        elif evento == ESCALAR_SLA:
            reloj, umbral = sla.escalar(v.sla, workflow.now())
            despues = v.model_copy(update={"sla": reloj})
            accion, detalle = umbral.accion, sla.descripcion(umbral, reloj)
        else:
            despues = v
            detalle = "archivado al terminar el plazo para recuperarlo"
        # Tied to the seq it is written at: a timer that fires again after a lost workflow task
        # finds its own change committed instead of writing it twice.
        ident = {
            "cambio_id": f"sistema:{evento}:{v.seq + 1}",
            "huella": evento,
            "origen": OrigenCambio.SISTEMA,
        }
        return dict(accion=accion, actor=SISTEMA, despues=despues, detalles=detalle, **ident)

    async def _evento_sistema(self, evento: str) -> bool:
        async with self._lock:
            aplicado = await self._aplicar(lambda: self._preparar_evento(evento))
        return not (aplicado and evento == ARCHIVAR)

    def _debe_continuar_como_nuevo(self) -> bool:
        info = workflow.info()
        limite = self._inicio.config.limite_historia
        return info.is_continue_as_new_suggested() or info.get_current_history_length() > limite

    def _para_continuar(self) -> dict[str, object]:
        recientes = dict(list(self._resultados.items())[-RESULTADOS_RECORDADOS:])
        huellas = {clave: h for clave, h in self._huellas.items() if clave in recientes}
        return {"vivo": self._vivo, "resultados": recientes, "huellas": huellas}

    # -- idempotency ---------------------------------------------------------------------------

    def _ya_aplicado(self, nombre: str, orden: Any) -> EstadoVivo | None:
        """The answer already given to this key, or None. The same key for another request is refused
        (a retry must not apply something else, nor answer as if it had)."""
        if not orden.clave or orden.clave not in self._resultados:
            return None
        previa = self._huellas.get(orden.clave)
        if previa is not None and previa != huella_orden(nombre, orden):
            mensaje = "la clave Idempotency-Key ya se usó para otra petición"
            raise self._rechazo(TipoError.CLAVE_REUTILIZADA, mensaje, orden.actor)
        return self._resultados[orden.clave]

    def _recordar(self, nombre: str, orden: Any) -> None:
        if orden.clave:
            self._resultados[orden.clave] = self._vivo
            self._huellas[orden.clave] = huella_orden(nombre, orden)

    def _identidad(self, nombre: str, orden: Any) -> dict[str, str]:
        """What identifies an update's change in Postgres: its key (the API always sends one)."""
        cambio_id = orden.clave or f"update:{workflow.current_update_info().id}"
        return {
            "cambio_id": cambio_id,
            "huella": huella_orden(nombre, orden),
            "origen": OrigenCambio.UPDATE,
            "firma": orden.firma,
        }

    # -- editing and deleting the header -------------------------------------------------------

    def _verificar_existe(self, actor: ActorMsg) -> None:
        if self._vivo is None:
            raise self._rechazo(TipoError.TRANSICION_INVALIDA, "el pendiente aún no está registrado", actor)
        if self._eliminado:
            raise self._rechazo(
                TipoError.NO_ENCONTRADO, f"pendiente {self._vivo.pendiente_id} no encontrado", actor
            )

    def _preparar_edicion(self, orden: OrdenEdicion) -> EstadoVivo:
        self._verificar_existe(orden.actor)
        if motivo := edicion.motivo_no_editable(self._vivo.estado, orden.actor.permisos):
            raise self._rechazo(*motivo, orden.actor)
        self._verificar_version(orden.version, orden.actor)
        ajenos = sorted(to_camel(c) for c in set(orden.edicion.campos) - edicion.CAMPOS_EDITABLES)
        if ajenos:
            # Named as the API spells them: the API refuses these first, this guards other callers.
            raise dato_invalido(f"no editables aquí: {', '.join(ajenos)}", ajenos[0])
        if "fecha_pendiente" not in orden.edicion.campos:
            return self._vivo
        # A new schedule starts the overdue clock again.
        return self._vivo.model_copy(
            update={"fecha_pendiente": orden.edicion.fecha_pendiente, "vencido": False}
        )

    @workflow.update(name=nombres.EDITAR)
    async def editar(self, orden: OrdenEdicion) -> EstadoVivo:
        """Edit header fields (EDITAR_PENDIENTE); search attributes and timers follow the new values."""
        async with self._lock:
            if (previo := self._ya_aplicado(nombres.EDITAR, orden)) is not None:
                return previo
            ident = self._identidad(nombres.EDITAR, orden)

            def preparar() -> dict[str, Any]:
                despues = self._preparar_edicion(orden)
                valores = orden.edicion.valores()
                datos = self._inicio.datos.model_copy(update=valores)
                detalle = "editado: " + ", ".join(sorted(valores))
                return dict(
                    accion="editar",
                    actor=orden.actor,
                    despues=despues,
                    detalles=detalle,
                    edicion=orden.edicion,
                    datos=datos,
                    **ident,
                )

            await self._aplicar(preparar)
            self._recordar(nombres.EDITAR, orden)
            return self._vivo

    @editar.validator
    def _validar_edicion(self, orden: OrdenEdicion) -> None:
        if self._ya_aplicado(nombres.EDITAR, orden) is None:
            self._preparar_edicion(orden)

    def _preparar_detalle(self, orden: OrdenDetalle) -> EstadoVivo:
        self._verificar_existe(orden.actor)
        if motivo := edicion.motivo_sin_detalle(self._vivo.estado, orden.actor.permisos):
            raise self._rechazo(*motivo, orden.actor)
        self._verificar_version(orden.version, orden.actor)
        if orden.crear and self._vivo.tiene_detalle:
            raise self._rechazo(TipoError.BLOQUEADO, "el pendiente ya tiene su detalle", orden.actor)
        if not orden.crear and not self._vivo.tiene_detalle:
            raise self._rechazo(TipoError.NO_ENCONTRADO, "el pendiente aún no tiene detalle", orden.actor)
        propios = edicion.CAMPOS_DETALLE[self._vivo.tipo]
        ajenos = sorted(to_camel(c) for c in set(orden.detalle.campos) - propios)
        if ajenos:
            raise dato_invalido(f"un detalle de {self._vivo.tipo} no tiene: {', '.join(ajenos)}", ajenos[0])
        return self._vivo.model_copy(update={"tiene_detalle": True})

    @workflow.update(name=nombres.GUARDAR_DETALLE)
    async def guardar_detalle(self, orden: OrdenDetalle) -> EstadoVivo:
        """The type detail goes through the workflow: assigning depends on it."""
        async with self._lock:
            if (previo := self._ya_aplicado(nombres.GUARDAR_DETALLE, orden)) is not None:
                return previo
            ident = self._identidad(nombres.GUARDAR_DETALLE, orden)
            titulo = "detalle registrado: " if orden.crear else "detalle editado: "

            def preparar() -> dict[str, Any]:
                despues = self._preparar_detalle(orden)
                detalle = titulo + ", ".join(sorted(orden.detalle.campos))
                return dict(
                    accion="detalle",
                    actor=orden.actor,
                    despues=despues,
                    detalles=detalle,
                    detalle_tipo=(orden.detalle, orden.crear),
                    **ident,
                )

            await self._aplicar(preparar)
            self._recordar(nombres.GUARDAR_DETALLE, orden)
            return self._vivo

    @guardar_detalle.validator
    def _validar_detalle(self, orden: OrdenDetalle) -> None:
        if self._ya_aplicado(nombres.GUARDAR_DETALLE, orden) is None:
            self._preparar_detalle(orden)

    def _preparar_eliminacion(self, orden: OrdenAccion) -> None:
        if self._vivo is None:
            raise self._rechazo(
                TipoError.TRANSICION_INVALIDA, "el pendiente aún no está registrado", orden.actor
            )
        if motivo := edicion.motivo_no_eliminable(self._vivo.estado, orden.actor.permisos):
            raise self._rechazo(*motivo, orden.actor)
        self._verificar_version(orden.version, orden.actor)

    @workflow.update(name=nombres.ELIMINAR)
    async def eliminar(self, orden: OrdenAccion) -> EstadoVivo:
        """Soft delete: the row leaves every list, and this workflow ends."""
        async with self._lock:
            if self._eliminado:
                return self._vivo
            ident = self._identidad(nombres.ELIMINAR, orden)

            def preparar() -> dict[str, Any] | None:
                if self._eliminado:
                    return None  # the committed record says a lost delete already went through
                self._preparar_eliminacion(orden)
                detalle = f"eliminado: {orden.motivo}" if orden.motivo else "eliminado"
                return dict(
                    accion="eliminar",
                    actor=orden.actor,
                    despues=self._vivo,
                    detalles=detalle,
                    eliminar=True,
                    **ident,
                )

            await self._aplicar(preparar)
            self._eliminado = True
            return self._vivo

    @eliminar.validator
    def _validar_eliminacion(self, orden: OrdenAccion) -> None:
        if not self._eliminado:
            self._preparar_eliminacion(orden)

    # -- labels --------------------------------------------------------------------------------

    def _preparar_etiquetas(self, orden: OrdenEtiquetas) -> EstadoVivo:
        self._verificar_existe(orden.actor)
        if motivo := etiquetas.motivo_no_etiquetable(self._vivo.estado, orden.actor.permisos):
            raise self._rechazo(*motivo, orden.actor)
        self._verificar_version(orden.version, orden.actor)
        finales = orden.aplicada_a(self._vivo.etiquetas)
        if len(finales) > etiquetas.ETIQUETAS_MAXIMAS:
            mensaje = f"un pendiente lleva como máximo {etiquetas.ETIQUETAS_MAXIMAS} etiquetas"
            raise dato_invalido(mensaje, "etiquetaIds")
        return self._vivo.model_copy(update={"etiquetas": finales})

    @workflow.update(name=nombres.ETIQUETAR)
    async def etiquetar(self, orden: OrdenEtiquetas) -> EstadoVivo:
        """Set, add or remove labels (EDITAR_PENDIENTE); the `Etiquetas` search attribute follows. The
        final list is computed here, on the current state: concurrent adds never lose one another."""
        async with self._lock:
            if (previo := self._ya_aplicado(nombres.ETIQUETAR, orden)) is not None:
                return previo
            ident = self._identidad(nombres.ETIQUETAR, orden)

            def preparar() -> dict[str, Any] | None:
                despues = self._preparar_etiquetas(orden)
                if despues.etiquetas == self._vivo.etiquetas:
                    return None  # already so: no historial entry, no version step
                return dict(
                    accion=nombres.ETIQUETAR,
                    actor=orden.actor,
                    despues=despues,
                    etiquetas=despues.etiquetas,
                    **ident,
                )

            await self._aplicar(preparar)
            self._recordar(nombres.ETIQUETAR, orden)
            return self._vivo

    @etiquetar.validator
    def _validar_etiquetas(self, orden: OrdenEtiquetas) -> None:
        if self._ya_aplicado(nombres.ETIQUETAR, orden) is None:
            self._preparar_etiquetas(orden)

    # -- actions -------------------------------------------------------------------------------

    def _rechazo(self, tipo: str, mensaje: str, actor: ActorMsg) -> ApplicationError:
        v = self._vivo
        detalle = datos_conflicto(v.situacion() if v else None, v.seq if v else None, actor.a_dominio())
        return ApplicationError(mensaje, detalle, type=tipo, non_retryable=True)

    def _verificar_version(self, version: int | None, actor: ActorMsg) -> None:
        if version is not None and version != self._vivo.seq:
            mensaje = f"el pendiente cambió: versión {self._vivo.seq}, esperada {version}"
            raise self._rechazo(TipoError.VERSION_OBSOLETA, mensaje, actor)

    def _preparar(self, accion: Accion, orden: OrdenAccion) -> EstadoVivo:
        """Check the action against the domain rules; return the state it leads to, or raise."""
        self._verificar_existe(orden.actor)
        decision = evaluar(accion, self._vivo.situacion(), orden.actor.a_dominio())
        if not decision.permitida:
            raise self._rechazo(decision.rechazo.value, decision.motivo, orden.actor)
        self._verificar_version(orden.version, orden.actor)
        faltan = [campo for campo in DATOS_REQUERIDOS.get(accion, ()) if getattr(orden, campo) in (None, "")]
        if faltan:
            campos = [CAMPOS_DE_ACCION[campo] for campo in faltan]
            raise dato_invalido(f"'{accion}' requiere: {', '.join(campos)}", campos[0])
        efecto = efecto_de(accion)
        if efecto.fecha and orden.nueva_fecha <= workflow.now():
            raise dato_invalido("'nuevaFecha' debe ser posterior a la fecha actual", "nuevaFecha")
        cambios: dict[str, object] = {"estado": decision.estado, "estado_tecnico": decision.estado_tecnico}
        cambios.update(cambios_de(efecto, orden.tecnico_id, orden.nueva_fecha, workflow.now()))
        return self._vivo.model_copy(update=cambios)

    def _partes_accion(self, accion: Accion, orden: OrdenAccion, ident: dict[str, str]) -> dict[str, Any]:
        despues = self._preparar(accion, orden)
        partes = dict(
            accion=accion.value,
            actor=orden.actor,
            despues=despues,
            detalles=orden.motivo,
            orden=orden,
            **ident,
        )
        if orden.etiquetas is not None:
            # The peer's cancel sets labels in the same change (one historial entry, one version step).
            finales = sorted(set(orden.etiquetas))
            partes.update(despues=despues.model_copy(update={"etiquetas": finales}), etiquetas=finales)
        return partes

    async def _ejecutar(self, accion: Accion, orden: OrdenAccion) -> EstadoVivo:
        async with self._lock:
            if (previo := self._ya_aplicado(accion.value, orden)) is not None:
                return previo
            ident = self._identidad(accion.value, orden)
            # Re-checked under the lock (a concurrent action may have changed the state since
            # validation) and again against the committed record if Postgres turns out to be ahead.
            await self._aplicar(lambda: self._partes_accion(accion, orden, ident))
            self._recordar(accion.value, orden)
            return self._vivo

    async def _senal(self, accion: Accion, orden: OrdenAccion) -> None:
        """Fire-and-forget: the actor is re-read from Postgres (a signal's payload proves nothing).
        A refusal is logged and recorded; an exception here would fail the whole workflow."""
        async with self._lock:
            actor = ActorMsg(nombre=f"señal del usuario {orden.actor.usuario_id}")
            try:
                actor = await self._actor_de_senal(orden)
                con_actor = orden.model_copy(update={"actor": actor})
                ident = {
                    "cambio_id": f"senal:{workflow.uuid4()}",
                    "huella": huella_orden(accion.value, con_actor),
                    "origen": OrigenCambio.SENAL,
                }
                await self._aplicar(lambda: self._partes_accion(accion, con_actor, ident))
            except ApplicationError as error:
                workflow.logger.warning("signal %s refused: %s", accion.value, error.message)
                await self._registrar_rechazo(accion, actor, error.message)

    async def _registrar_rechazo(self, accion: Accion, actor: ActorMsg, motivo: str) -> None:
        if self._vivo is None:
            return
        ident = {
            "cambio_id": f"rechazo:{workflow.uuid4()}",
            "huella": SENAL_RECHAZADA,
            "origen": OrigenCambio.SENAL,
        }
        partes = dict(accion=SENAL_RECHAZADA, actor=actor, detalles=f"{accion.value}: {motivo}", **ident)
        try:
            await self._aplicar(lambda: partes | {"despues": self._vivo})
        except ApplicationError as error:
            workflow.logger.error("could not record refused signal %s: %s", accion.value, error.message)

    async def _actor_de_senal(self, orden: OrdenAccion) -> ActorMsg:
        if orden.actor.usuario_id is None:
            raise ApplicationError("la señal no indica actor.usuario_id", type=TipoError.SIN_PERMISO)
        try:
            actor = await workflow.execute_local_activity(
                nombres.CARGAR_ACTOR, orden.actor.usuario_id, result_type=ActorMsg | None, **_PERSISTENCIA
            )
        except ActivityError as error:
            raise _error_actividad(error) from None
        if actor is None:
            raise ApplicationError(
                "el usuario de la señal no existe o está inactivo", type=TipoError.SIN_PERMISO
            )
        return actor

    async def _aplicar(self, preparar: Callable[[], dict[str, Any] | None]) -> bool:
        """Persist the change `preparar` describes (one historial entry and what it records), then adopt
        the new state. `preparar` checks the rules against the current state and returns the change, or
        None when there is nothing left to do. When Postgres turns out to be ahead (it committed a change
        this workflow then lost in a crash), the committed record is adopted and the change is checked
        again against it. Returns whether this change was written."""
        for _ in range(ALCANCES_MAXIMOS):
            partes = preparar()
            if partes is None:
                return False
            despues = self._con_reloj(partes["despues"], partes.get("datos"))
            despues = despues.model_copy(update={"seq": self._vivo.seq + 1})
            resultado = await self._persistir(partes, despues)
            if resultado is None or (resultado.aplicado and resultado.vivo is None):
                nombres_etiquetas = resultado.nombres_etiquetas if resultado else None
                self._adoptar(despues, partes.get("datos"), nombres_etiquetas)
                return True
            self._adoptar_comprometido(resultado)
            if resultado.aplicado:
                return True
        mensaje = "el pendiente cambió varias veces mientras se aplicaba la acción; reintente"
        raise self._rechazo(TipoError.VERSION_OBSOLETA, mensaje, partes["actor"])

    def _plazo_sla(self, datos: DatosPendiente) -> int:
        return self._inicio.config.sla_plazos[datos.prioridad]

    def _con_reloj(self, despues: EstadoVivo, datos: DatosPendiente | None) -> EstadoVivo:
        """The SLA clock after a change: the deadline of the (possibly new) priority, stopped or resumed
        by the new state."""
        if despues.sla is None:
            return despues
        ahora = workflow.now()
        reloj = sla.con_plazo(despues.sla, self._plazo_sla(datos or self._inicio.datos), ahora)
        return despues.model_copy(update={"sla": sla.seguir(reloj, despues.estado, ahora)})

    async def _persistir(self, partes: dict[str, Any], despues: EstadoVivo) -> ResultadoCambio | None:
        orden: OrdenAccion | None = partes.get("orden")
        detalle_tipo: tuple[Detalle, bool] | None = partes.get("detalle_tipo")
        cambio = Cambio(
            pendiente_id=self._vivo.pendiente_id,
            seq=despues.seq,
            cambio_id=partes.get("cambio_id"),
            huella=partes.get("huella"),
            origen=partes["origen"],
            firma=partes.get("firma"),
            accion=partes["accion"],
            actor=partes["actor"],
            antes=self._vivo,
            despues=despues,
            detalles=partes.get("detalles"),
            vlan=orden.vlan if orden else None,
            pppoe_usuario=orden.pppoe_usuario if orden else None,
            pppoe_password_cifrado=orden.pppoe_password_cifrado if orden else None,
            edicion=partes.get("edicion"),
            eliminar=partes.get("eliminar", False),
            detalle=detalle_tipo[0] if detalle_tipo else None,
            crear_detalle=detalle_tipo[1] if detalle_tipo else False,
            etiquetas=partes.get("etiquetas"),
        )
        try:
            # Histories recorded before ResultadoCambio existed hold None here: "written as asked".
            return await workflow.execute_local_activity(
                nombres.APLICAR_CAMBIO, cambio, result_type=ResultadoCambio | None, **_PERSISTENCIA
            )
        except ActivityError as error:
            raise _error_actividad(error) from None

    def _adoptar(
        self,
        vivo: EstadoVivo,
        datos: DatosPendiente | None = None,
        nombres_etiquetas: list[str] | None = None,
    ) -> None:
        """Take a state Postgres holds as this workflow's own, and show it in the UI."""
        self._vivo = vivo
        if datos is not None:
            self._inicio = self._inicio.model_copy(update={"datos": datos})
        cambios = busqueda.actualizaciones(self._inicio.datos, vivo, nombres_etiquetas)
        if workflow.patched(SOLO_CAMBIOS_BUSQUEDA):
            cambios = busqueda.solo_cambios(workflow.info().typed_search_attributes, cambios)
        if cambios:
            workflow.upsert_search_attributes(cambios)
        workflow.set_current_details(self._resumen())

    def _adoptar_comprometido(self, resultado: ResultadoCambio) -> None:
        datos = None
        if resultado.datos is not None:
            # The committed header; the creation detail is not part of it.
            datos = resultado.datos.model_copy(update={"detalle": self._inicio.datos.detalle})
        self._adoptar(resultado.vivo, datos, resultado.nombres_etiquetas)
        self._eliminado = self._eliminado or resultado.eliminado
        for clave in resultado.claves:
            self._resultados.setdefault(clave, resultado.vivo)

    @workflow.update(name=nombres.SINCRONIZAR)
    async def sincronizar(self) -> bool:
        """Catch up with the committed record (reconciler, or the API when Postgres is ahead); True
        when the workflow had drifted and adopted it. Under the lock, so a change in flight finishes
        first and is not mistaken for drift."""
        async with self._lock:
            if self._vivo is None:
                return False
            try:
                comprometido = await workflow.execute_local_activity(
                    nombres.LEER_COMPROMETIDO,
                    self._vivo.pendiente_id,
                    result_type=ResultadoCambio,
                    **_PERSISTENCIA,
                )
            except ActivityError as error:
                raise _error_actividad(error) from None
            if comprometido.vivo == self._vivo and comprometido.eliminado == self._eliminado:
                return False
            self._adoptar_comprometido(comprometido)
            return True

    def _resumen(self) -> str:
        v = self._vivo
        tecnico = f"técnico {v.asignado_a}" if v.asignado_a else "sin técnico"
        vencido = " · VENCIDO" if v.vencido else ""
        plazo = f" · SLA {sla.estado_sla(v.sla, v.estado)}" if v.sla else ""
        return f"{v.tipo} · {v.estado} · red {v.estado_tecnico} · {tecnico}{vencido}{plazo}"
