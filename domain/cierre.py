"""What a closed pendiente still accepts: one table, used by pagos, items and notas alike.

A pendiente is closed when FINALIZADO or CANCELADO (domain/acciones.py ESTADOS_CERRADOS): its record
and its lifecycle no longer change. Things hung on it afterwards (`Anexo`s) are another matter, and
differ by how it closed. An open pendiente accepts every anexo."""

from __future__ import annotations

from enum import StrEnum

from domain.acciones import Actor, Situacion, datos_conflicto
from domain.enums import EstadoPendiente as E
from domain.errores import Conflicto


class Anexo(StrEnum):
    """What a caller may add to (or, for items, change on) a pendiente outside its lifecycle."""

    PAGO = "pago"  # register a payment on it, or move one to it
    ITEM = "item"  # add, change or remove a material or service used
    NOTA = "nota"  # write a note
    IMAGEN = "imagen"  # add or change the images of one of its notes


# The anexos each closed state still accepts; a closed state absent from here would accept nothing.
ADMITE_CERRADO: dict[E, frozenset[Anexo]] = {
    # The work was done: the customer often pays after it, so payments keep coming. The items priced
    # that work and are settled with it. Notes are comments (a follow-up call, a photo of the receipt).
    E.FINALIZADO: frozenset({Anexo.PAGO, Anexo.NOTA, Anexo.IMAGEN}),
    # Nothing was done: there is nothing to charge for and no material was used. A note can still say
    # why it was cancelled, with its images. (A payment already taken stays editable: it is a record to
    # correct or annul, not a new charge.)
    E.CANCELADO: frozenset({Anexo.NOTA, Anexo.IMAGEN}),
}

_NOMBRES = {
    Anexo.PAGO: "pagos",
    Anexo.ITEM: "cambios en sus ítems",
    Anexo.NOTA: "notas",
    Anexo.IMAGEN: "imágenes en sus notas",
}


def admite(estado: E, anexo: Anexo) -> bool:
    return estado not in ADMITE_CERRADO or anexo in ADMITE_CERRADO[estado]


def exigir_admite(anexo: Anexo, situacion: Situacion, version: int, actor: Actor | None = None) -> None:
    """409 with the one conflict body (domain/errores.py) when the pendiente no longer accepts `anexo`;
    `actor` lets the body list what the caller may do instead (e.g. postergar a cancelled pendiente)."""
    if not admite(situacion.estado, anexo):
        raise Conflicto(
            f"el pendiente está {situacion.estado}: ya no admite {_NOMBRES[anexo]}",
            datos_conflicto(situacion, version, actor),
        )
