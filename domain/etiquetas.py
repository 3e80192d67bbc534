"""Labels (etiquetas): who manages them, who puts them on a pendiente, and their shape, as data."""

from __future__ import annotations

from enum import StrEnum

from .enums import EstadoPendiente as E
from .errores import TipoError
from .permisos import Permiso

# Reading labels follows reading pendientes (a label list is useless to someone who sees no pendiente).
PERMISOS_VER = (Permiso.VER_TODOS, Permiso.VER_DETALLE)
# The label catalogue is dispatch's tool (filters, reports): whoever edits pendientes manages it too,
# not only administrators.
PERMISOS_GESTIONAR = (Permiso.ADMINISTRAR, Permiso.EDITAR_PENDIENTE)
# Labelling a pendiente is an edit of it. The peer-style cancel sets labels with the cancellation
# itself: that one needs only the cancel's own permission (the peer ties the two in one call).
PERMISO_ETIQUETAR = Permiso.EDITAR_PENDIENTE
# A finished pendiente's workflow has ended: its labels are history like the rest of it.
ESTADOS_NO_ETIQUETABLES = frozenset({E.FINALIZADO})

NOMBRE_MAXIMO = 50
# `#rrggbb`, or a palette token like the peer's `RED_2` (an integration written for it sends those).
PATRON_COLOR = r"^(#[0-9a-fA-F]{6}|[A-Z][A-Z0-9_]{0,19})$"
# Labels on one pendiente, and ids in one request: a bound, not a product limit anyone should reach.
ETIQUETAS_MAXIMAS = 50


class ModoEtiquetas(StrEnum):
    """How a list filter by labels combines them."""

    ALGUNA = "alguna"  # carries any of them
    TODAS = "todas"  # carries all of them


def motivo_no_etiquetable(estado: E, permisos: frozenset[Permiso]) -> tuple[TipoError, str] | None:
    """(error type, reason) if the caller cannot change this pendiente's labels now, else None."""
    if PERMISO_ETIQUETAR not in permisos:
        return TipoError.SIN_PERMISO, f"etiquetar un pendiente requiere el permiso {PERMISO_ETIQUETAR}"
    if estado in ESTADOS_NO_ETIQUETABLES:
        return TipoError.TRANSICION_INVALIDA, f"un pendiente {estado} no cambia de etiquetas"
    return None
