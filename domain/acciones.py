"""The lifecycle as data: which action leads from which state to which, and who may take it.

Both tables of product-decisions.md live here once. The workflow, the API and the tests ask
`evaluar` / `acciones_permitidas`; nobody re-implements a rule with an if-chain elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

from .enums import TIPOS_CON_RED, TipoPendiente
from .enums import EstadoPendiente as E
from .enums import EstadoTecnico as ET
from .errores import TipoError
from .permisos import Permiso as P


class Accion(StrEnum):
    ASIGNAR = "asignar"
    REASIGNAR = "reasignar"
    COMENZAR = "comenzar"
    PAUSAR = "pausar"
    CONTINUAR = "continuar"
    TERMINAR = "terminar"
    SOLICITAR_REVISION = "solicitar_revision"
    VALIDAR = "validar"
    OBSERVAR = "observar"
    RETOMAR = "retomar"
    FINALIZAR = "finalizar"
    CANCELAR = "cancelar"
    POSTERGAR = "postergar"
    PEDIR_PPPOE = "pedir_pppoe"
    PEDIR_VLAN = "pedir_vlan"
    CONFIGURAR_PPPOE = "configurar_pppoe"
    CONFIGURAR_VLAN = "configurar_vlan"


@dataclass(frozen=True)
class Regla:
    """Who may take an action: any one of `permisos`. Holding EJECUTAR_TRABAJO counts only for the
    technician assigned to the pendiente, unless the actor also holds ADMINISTRAR."""

    accion: Accion
    permisos: tuple[P, ...]


@dataclass(frozen=True)
class Transicion:
    desde: E
    accion: Accion
    hacia: E


@dataclass(frozen=True)
class TransicionTecnica:
    desde: ET
    accion: Accion
    hacia: ET


REGLAS: dict[Accion, Regla] = {
    r.accion: r
    for r in (
        Regla(Accion.ASIGNAR, (P.ASIGNAR_TECNICO,)),
        Regla(Accion.REASIGNAR, (P.ASIGNAR_TECNICO, P.EJECUTAR_TRABAJO)),
        Regla(Accion.COMENZAR, (P.EJECUTAR_TRABAJO,)),
        Regla(Accion.PAUSAR, (P.EJECUTAR_TRABAJO,)),
        Regla(Accion.CONTINUAR, (P.EJECUTAR_TRABAJO,)),
        Regla(Accion.TERMINAR, (P.EJECUTAR_TRABAJO,)),
        Regla(Accion.SOLICITAR_REVISION, (P.EJECUTAR_TRABAJO,)),
        Regla(Accion.VALIDAR, (P.OBSERVAR_PENDIENTE, P.FINALIZAR_PENDIENTE)),
        Regla(Accion.OBSERVAR, (P.OBSERVAR_PENDIENTE,)),
        Regla(Accion.RETOMAR, (P.EJECUTAR_TRABAJO,)),
        Regla(Accion.FINALIZAR, (P.FINALIZAR_PENDIENTE,)),
        Regla(Accion.CANCELAR, (P.CANCELAR_PENDIENTE,)),
        Regla(Accion.POSTERGAR, (P.POSTERGAR_PENDIENTE,)),
        Regla(Accion.PEDIR_PPPOE, (P.EJECUTAR_TRABAJO, P.CONFIGURAR_PPPOE)),
        Regla(Accion.PEDIR_VLAN, (P.EJECUTAR_TRABAJO, P.CONFIGURAR_VLAN)),
        Regla(Accion.CONFIGURAR_PPPOE, (P.CONFIGURAR_PPPOE,)),
        Regla(Accion.CONFIGURAR_VLAN, (P.CONFIGURAR_VLAN,)),
    )
}


def _filas(desde: tuple[E, ...], accion: Accion, hacia: E) -> list[Transicion]:
    return [Transicion(d, accion, hacia) for d in desde]


TRANSICIONES: tuple[Transicion, ...] = tuple(
    _filas((E.REGISTRADO, E.POSTERGADO), Accion.ASIGNAR, E.ASIGNADO)
    + _filas((E.ASIGNADO,), Accion.ASIGNAR, E.ASIGNADO)
    + _filas((E.ASIGNADO, E.EN_PROGRESO, E.PAUSADO), Accion.REASIGNAR, E.REGISTRADO)
    + _filas((E.ASIGNADO,), Accion.COMENZAR, E.EN_PROGRESO)
    + _filas((E.EN_PROGRESO,), Accion.PAUSAR, E.PAUSADO)
    + _filas((E.PAUSADO,), Accion.CONTINUAR, E.EN_PROGRESO)
    + _filas((E.EN_PROGRESO, E.PAUSADO), Accion.TERMINAR, E.POR_VALIDAR)
    + _filas((E.EN_PROGRESO, E.PAUSADO), Accion.SOLICITAR_REVISION, E.REVISION)
    + _filas((E.REVISION, E.OBSERVADO), Accion.VALIDAR, E.POR_VALIDAR)
    + _filas((E.POR_VALIDAR, E.REVISION), Accion.OBSERVAR, E.OBSERVADO)
    + _filas((E.OBSERVADO,), Accion.RETOMAR, E.EN_PROGRESO)
    + _filas((E.POR_VALIDAR,), Accion.FINALIZAR, E.FINALIZADO)
    + _filas(
        (E.REGISTRADO, E.ASIGNADO, E.EN_PROGRESO, E.PAUSADO, E.POSTERGADO, E.OBSERVADO),
        Accion.CANCELAR,
        E.CANCELADO,
    )
    + _filas((E.REGISTRADO, E.ASIGNADO, E.PAUSADO, E.POSTERGADO, E.CANCELADO), Accion.POSTERGAR, E.POSTERGADO)
)

# Network sub-state. The product table plus two rows it implies: configuring what is not pending
# records the value and leaves the other pending request as it was.
TRANSICIONES_TECNICAS: tuple[TransicionTecnica, ...] = tuple(
    TransicionTecnica(d, a, h)
    for d, a, h in (
        (ET.OK, Accion.PEDIR_PPPOE, ET.PENDIENTE_PPPoE),
        (ET.OK, Accion.PEDIR_VLAN, ET.PENDIENTE_VLAN),
        (ET.PENDIENTE_PPPoE, Accion.PEDIR_VLAN, ET.PENDIENTE_PPPoE_Y_VLAN),
        (ET.PENDIENTE_VLAN, Accion.PEDIR_PPPOE, ET.PENDIENTE_PPPoE_Y_VLAN),
        (ET.PENDIENTE_PPPoE, Accion.CONFIGURAR_PPPOE, ET.OK),
        (ET.PENDIENTE_VLAN, Accion.CONFIGURAR_VLAN, ET.OK),
        (ET.PENDIENTE_PPPoE_Y_VLAN, Accion.CONFIGURAR_PPPOE, ET.PENDIENTE_VLAN),
        (ET.PENDIENTE_PPPoE_Y_VLAN, Accion.CONFIGURAR_VLAN, ET.PENDIENTE_PPPoE),
        (ET.OK, Accion.CONFIGURAR_PPPOE, ET.OK),
        (ET.OK, Accion.CONFIGURAR_VLAN, ET.OK),
        (ET.PENDIENTE_VLAN, Accion.CONFIGURAR_PPPOE, ET.PENDIENTE_VLAN),
        (ET.PENDIENTE_PPPoE, Accion.CONFIGURAR_VLAN, ET.PENDIENTE_PPPoE),
    )
)

# Data each action needs besides the actor (field names of the action request).
DATOS_REQUERIDOS: dict[Accion, tuple[str, ...]] = {
    Accion.ASIGNAR: ("tecnico_id",),
    Accion.OBSERVAR: ("motivo",),
    Accion.CANCELAR: ("motivo",),
    Accion.POSTERGAR: ("nueva_fecha",),
    Accion.CONFIGURAR_VLAN: ("vlan",),
    Accion.CONFIGURAR_PPPOE: ("pppoe_usuario", "pppoe_password_cifrado"),
}


@dataclass(frozen=True)
class Efecto:
    """What an accepted action changes besides `estado` / `estadoTecnico`. The workflow applies it to its
    state, the persistence activity to Postgres; the notifications it writes are domain.avisos.AVISOS."""

    # "asignar": the technician becomes the request's tecnicoId; "quitar": the pendiente has none.
    tecnico: Literal["asignar", "quitar"] | None = None
    # The request's nuevaFecha becomes fechaPendiente (it must be after now).
    fecha: bool = False
    # The overdue flag is cleared (the work is closed, or it has a new day).
    limpia_vencido: bool = False
    # The cancellation instant is stamped (the archive timer counts from it) or cleared.
    cancelacion: Literal["sellar", "limpiar"] | None = None
    # The network value recorded on the type detail (and the flag the finalizar guard reads).
    red: Literal["vlan", "pppoe"] | None = None
    # The assigned technician's work session: opened (the work starts or resumes) or closed.
    sesion: Literal["abrir", "cerrar"] | None = None


SIN_EFECTO = Efecto()

EFECTOS: dict[Accion, Efecto] = {
    Accion.ASIGNAR: Efecto(tecnico="asignar"),
    Accion.REASIGNAR: Efecto(tecnico="quitar", sesion="cerrar"),
    Accion.COMENZAR: Efecto(sesion="abrir"),
    Accion.PAUSAR: Efecto(sesion="cerrar"),
    Accion.CONTINUAR: Efecto(sesion="abrir"),
    Accion.TERMINAR: Efecto(sesion="cerrar"),
    Accion.SOLICITAR_REVISION: Efecto(sesion="cerrar"),
    Accion.RETOMAR: Efecto(sesion="abrir"),
    Accion.FINALIZAR: Efecto(limpia_vencido=True),
    Accion.CANCELAR: Efecto(limpia_vencido=True, cancelacion="sellar", sesion="cerrar"),
    # Postponing a CANCELADO one brings it back: it is no longer counting towards its archive.
    Accion.POSTERGAR: Efecto(fecha=True, limpia_vencido=True, cancelacion="limpiar"),
    Accion.CONFIGURAR_VLAN: Efecto(red="vlan"),
    Accion.CONFIGURAR_PPPOE: Efecto(red="pppoe"),
}


def efecto_de(nombre: str) -> Efecto:
    """The effect of a change recorded under `nombre`: an action's, or none (editar, a timer event...)."""
    return EFECTOS.get(nombre, SIN_EFECTO)


def cambios_de(
    efecto: Efecto, tecnico_id: int | None, nueva_fecha: datetime | None, ahora: datetime
) -> dict[str, object]:
    """The lifecycle facts the effect changes, by their EstadoVivo names (the workflow's state)."""
    cambios: dict[str, object] = {}
    if efecto.tecnico is not None:
        cambios["asignado_a"] = tecnico_id if efecto.tecnico == "asignar" else None
    if efecto.fecha:
        cambios["fecha_pendiente"] = nueva_fecha
    if efecto.limpia_vencido:
        cambios["vencido"] = False
    if efecto.cancelacion is not None:
        cambios["cancelado_en"] = ahora if efecto.cancelacion == "sellar" else None
    if efecto.red is not None:
        cambios["vlan_configurada" if efecto.red == "vlan" else "pppoe_configurado"] = True
    return cambios


ACCIONES_TECNICAS = frozenset(t.accion for t in TRANSICIONES_TECNICAS)
# Network work makes no sense on a closed pendiente.
ESTADOS_CERRADOS = frozenset({E.FINALIZADO, E.CANCELADO})

_DESTINO = {(t.desde, t.accion): t.hacia for t in TRANSICIONES}
_DESTINO_TECNICO = {(t.desde, t.accion): t.hacia for t in TRANSICIONES_TECNICAS}


@dataclass(frozen=True)
class Actor:
    """Who is acting: the authenticated user's empleado and the permissions of their role."""

    empleado_id: int | None
    permisos: frozenset[P]
    usuario_id: int | None = None
    nombre: str = ""


@dataclass(frozen=True)
class Situacion:
    """The facts of one pendiente that the rules look at."""

    estado: E
    estado_tecnico: ET
    tipo: TipoPendiente
    asignado_a: int | None = None
    pppoe_configurado: bool = False
    vlan_configurada: bool = False
    tiene_detalle: bool = True


class Rechazo(StrEnum):
    """Why `evaluar` refuses an action: the error types of domain.errores.TipoError it may answer."""

    SIN_PERMISO = TipoError.SIN_PERMISO
    NO_ASIGNADO = TipoError.NO_ASIGNADO
    TRANSICION_INVALIDA = TipoError.TRANSICION_INVALIDA
    BLOQUEADO = TipoError.BLOQUEADO


@dataclass(frozen=True)
class Decision:
    permitida: bool
    estado: E | None = None
    estado_tecnico: ET | None = None
    rechazo: Rechazo | None = None
    motivo: str = ""
    permisos_requeridos: tuple[P, ...] = ()


def _rechazar(rechazo: Rechazo, motivo: str, regla: Regla) -> Decision:
    return Decision(False, rechazo=rechazo, motivo=motivo, permisos_requeridos=regla.permisos)


def _autoriza(permiso: P, actor: Actor, situacion: Situacion) -> bool:
    if permiso not in actor.permisos:
        return False
    if permiso is not P.EJECUTAR_TRABAJO or P.ADMINISTRAR in actor.permisos:
        return True
    return actor.empleado_id is not None and actor.empleado_id == situacion.asignado_a


def _bloqueo_finalizar(situacion: Situacion) -> str | None:
    if situacion.estado_tecnico is not ET.OK:
        return f"la configuración de red sigue pendiente ({situacion.estado_tecnico})"
    internet = situacion.tipo is TipoPendiente.INSTALACION_INTERNET
    if internet and not (situacion.pppoe_configurado or situacion.vlan_configurada):
        return "una instalación de internet necesita un usuario PPPoE o una VLAN registrados"
    return None


def _destinos(accion: Accion, s: Situacion) -> tuple[E, ET] | str:
    """Where the action leads from this situation, or why the state does not allow it."""
    if accion in ACCIONES_TECNICAS:
        if s.tipo not in TIPOS_CON_RED:
            return f"un pendiente {s.tipo} no tiene configuración de red"
        if s.estado in ESTADOS_CERRADOS:
            return f"el pendiente está {s.estado}"
        hacia_tecnico = _DESTINO_TECNICO.get((s.estado_tecnico, accion))
        if hacia_tecnico is None:
            return f"'{accion}' no es posible con estadoTecnico {s.estado_tecnico}"
        return s.estado, hacia_tecnico
    hacia = _DESTINO.get((s.estado, accion))
    if hacia is None:
        return f"'{accion}' no es posible en estado {s.estado}"
    # Leaving the board (cancel) or going back to the queue keeps network requests as they are.
    return hacia, s.estado_tecnico


def evaluar(accion: Accion, situacion: Situacion, actor: Actor) -> Decision:
    """May `actor` take `accion` on a pendiente in `situacion` now? If so, where does it lead."""
    regla = REGLAS[accion]
    if not any(p in actor.permisos for p in regla.permisos):
        nombres = " o ".join(regla.permisos)
        return _rechazar(Rechazo.SIN_PERMISO, f"'{accion}' requiere el permiso {nombres}", regla)
    if not any(_autoriza(p, actor, situacion) for p in regla.permisos):
        return _rechazar(
            Rechazo.NO_ASIGNADO, f"solo el técnico asignado puede '{accion}' este pendiente", regla
        )
    destino = _destinos(accion, situacion)
    if isinstance(destino, str):
        return _rechazar(Rechazo.TRANSICION_INVALIDA, destino, regla)
    if accion is Accion.FINALIZAR and (bloqueo := _bloqueo_finalizar(situacion)):
        return _rechazar(Rechazo.BLOQUEADO, f"no se puede finalizar: {bloqueo}", regla)
    if accion is Accion.ASIGNAR and not situacion.tiene_detalle:
        motivo = f"no se puede asignar: falta el detalle del tipo {situacion.tipo}"
        return _rechazar(Rechazo.BLOQUEADO, motivo, regla)
    estado, estado_tecnico = destino
    return Decision(True, estado=estado, estado_tecnico=estado_tecnico, permisos_requeridos=regla.permisos)


def acciones_permitidas(situacion: Situacion, actor: Actor) -> list[Accion]:
    """The actions this actor may take now, in the table's order (what a UI shows as buttons)."""
    return [a for a in Accion if evaluar(a, situacion, actor).permitida]


def acciones_posibles(situacion: Situacion) -> list[Accion]:
    """The actions the state allows to somebody, whoever they are (used in 409 bodies for ops)."""
    return [a for a in Accion if not isinstance(_destinos(a, situacion), str)]


def accion_hacia(situacion: Situacion, objetivo: E) -> list[Accion]:
    """The state-machine actions that lead from the current state to `objetivo`
    (resolves the original's `PUT /estado?nuevoEstado=`)."""
    return [t.accion for t in TRANSICIONES if t.desde is situacion.estado and t.hacia is objetivo]


def accion_tecnica_hacia(situacion: Situacion, objetivo: ET) -> list[Accion]:
    """The network actions that move `estadoTecnico` from its current value to `objetivo`
    (resolves the original's `estado-tecnico?nuevoEstado=`)."""
    return [
        t.accion
        for t in TRANSICIONES_TECNICAS
        if t.desde is situacion.estado_tecnico and t.hacia is objetivo and t.desde is not t.hacia
    ]


def datos_conflicto(situacion: Situacion | None, version: int | None, actor: Actor | None = None) -> dict:
    """The one 409 body (README "Errores"): where the pendiente stands and what this caller may do now.
    Without an actor nobody may act (a closed pendiente: its workflow has ended)."""
    permitidas = acciones_permitidas(situacion, actor) if situacion and actor else []
    return {
        "estado": situacion.estado.value if situacion else None,
        "estadoTecnico": situacion.estado_tecnico.value if situacion else None,
        "accionesPermitidas": [a.value for a in permitidas],
        "version": version,
    }
