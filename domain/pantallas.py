"""The board's screens and who may open each (any one of the permissions; none = every user). What a
screen then shows is still decided per pendiente by domain/visibilidad.py and per action by
domain/acciones.py, as for the JSON API."""

from __future__ import annotations

from dataclasses import dataclass

from .permisos import Permiso as P


@dataclass(frozen=True)
class Pantalla:
    ruta: str
    titulo: str
    permisos: tuple[P, ...]


PANTALLAS: tuple[Pantalla, ...] = (
    Pantalla("/tablero", "Tablero", (P.VER_TODOS, P.VER_DETALLE)),
    Pantalla("/tablero/mis-pendientes", "Mis pendientes", (P.EJECUTAR_TRABAJO,)),
    Pantalla("/tablero/nuevo", "Nuevo pendiente", (P.REGISTRAR_PENDIENTE,)),
    Pantalla("/tablero/red", "Red", (P.CONFIGURAR_PPPOE, P.CONFIGURAR_VLAN)),
    Pantalla("/tablero/validacion", "Validación", (P.FINALIZAR_PENDIENTE, P.OBSERVAR_PENDIENTE)),
)
POR_RUTA = {p.ruta: p for p in PANTALLAS}


def visibles(permisos: frozenset[P]) -> list[Pantalla]:
    return [p for p in PANTALLAS if not p.permisos or permisos & set(p.permisos)]


def inicio(permisos: frozenset[P]) -> str:
    """Where a user lands after logging in: a technician on their own work, everyone else on the board."""
    if P.EJECUTAR_TRABAJO in permisos and P.VER_TODOS not in permisos:
        return "/tablero/mis-pendientes"
    return next((p.ruta for p in visibles(permisos)), "/tablero/sin-pantallas")
