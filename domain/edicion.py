"""Editing and deleting a pendiente: not lifecycle actions (they appear in no transition table) but
rules of the same kind, kept here as data."""

from __future__ import annotations

from .enums import TIPOS_CON_RED
from .enums import EstadoPendiente as E
from .enums import TipoPendiente as T
from .errores import TipoError
from .permisos import Permiso

# The header fields EDITAR_PENDIENTE may change; lifecycle fields change only through actions.
CAMPOS_EDITABLES = frozenset({"direccion", "prioridad", "lugar", "empresa", "fecha_pendiente", "cliente_id"})
PERMISO_EDITAR = Permiso.EDITAR_PENDIENTE
# Closed work is history: it is not edited.
ESTADOS_NO_EDITABLES = frozenset({E.FINALIZADO, E.CANCELADO})

# A pendiente may be deleted (soft) only before work started or after it was cancelled.
ESTADOS_ELIMINABLES = frozenset({E.REGISTRADO, E.CANCELADO})
PERMISO_ELIMINAR = Permiso.EDITAR_PENDIENTE


def motivo_no_editable(estado: E, permisos: frozenset[Permiso]) -> tuple[TipoError, str] | None:
    """(error type, reason) if the header cannot be edited now, else None."""
    if PERMISO_EDITAR not in permisos:
        return TipoError.SIN_PERMISO, f"editar un pendiente requiere el permiso {PERMISO_EDITAR}"
    if estado in ESTADOS_NO_EDITABLES:
        return TipoError.TRANSICION_INVALIDA, f"un pendiente {estado} no se edita"
    return None


def motivo_no_eliminable(estado: E, permisos: frozenset[Permiso]) -> tuple[TipoError, str] | None:
    if PERMISO_ELIMINAR not in permisos:
        return TipoError.SIN_PERMISO, f"eliminar un pendiente requiere el permiso {PERMISO_ELIMINAR}"
    if estado not in ESTADOS_ELIMINABLES:
        motivo = f"solo se elimina un pendiente REGISTRADO o CANCELADO, no {estado}"
        return TipoError.TRANSICION_INVALIDA, motivo
    return None


# The type-detail fields of each type (network values are not here: they change through actions).
CAMPOS_DETALLE: dict[T, frozenset[str]] = {
    T.AVERIA: frozenset({"descripcion_falla"}),
    T.INSTALACION_INTERNET: frozenset({"velocidad_solicitada", "costo_fijo", "tipo_instalacion"}),
    T.INSTALACION_CAMARAS: frozenset(),
    T.RECOJO_DISPOSITIVOS: frozenset({"dispositivo", "motivo"}),
    T.TRASLADO: frozenset({"lugar_destino", "direccion_destino", "tipo_servicio"}),
}
# The network values a type with a network sub-state (enums.TIPOS_CON_RED) records on its detail; they
# change only through the configurar_vlan / configurar_pppoe actions (acciones.EFECTOS `red`).
CAMPOS_RED = frozenset({"vlan", "pppoe_usuario", "pppoe_password_cifrado"})
PERMISOS_DETALLE = (Permiso.REGISTRAR_PENDIENTE, Permiso.EDITAR_PENDIENTE)


def columnas_detalle(tipo: T) -> frozenset[str]:
    """Every value a type's detail record holds: its own fields, and the network values if it has them.
    db/ (the detail tables), contrato (Detalle) and the API's schemas follow this definition."""
    return CAMPOS_DETALLE[tipo] | (CAMPOS_RED if tipo in TIPOS_CON_RED else frozenset())


def motivo_sin_detalle(estado: E, permisos: frozenset[Permiso]) -> tuple[TipoError, str] | None:
    """(error type, reason) if the caller cannot write the type detail now, else None."""
    if not any(p in permisos for p in PERMISOS_DETALLE):
        nombres = " o ".join(PERMISOS_DETALLE)
        return TipoError.SIN_PERMISO, f"el detalle del pendiente requiere el permiso {nombres}"
    if estado in ESTADOS_NO_EDITABLES:
        return TipoError.TRANSICION_INVALIDA, f"un pendiente {estado} no se edita"
    return None
