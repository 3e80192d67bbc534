"""What the customer reads on the tracking link: each tipo and estado in the customer's words.

Several internal states are one thing to a customer (a paused job is still being attended; the three
review states are the office checking the work), so the words merge them. Data only: the page and the JSON
both read these tables, and a test checks every enum value has its words."""

from __future__ import annotations

from domain.enums import EstadoPendiente as E
from domain.enums import TipoPendiente as T

ESTADO_PARA_CLIENTE: dict[E, str] = {
    E.REGISTRADO: "Recibimos tu pedido",
    E.ASIGNADO: "Técnico asignado",
    E.EN_PROGRESO: "En atención",
    E.PAUSADO: "En atención",
    E.POSTERGADO: "Reprogramado",
    E.POR_VALIDAR: "En revisión final",
    E.REVISION: "En revisión final",
    E.OBSERVADO: "En revisión final",
    E.FINALIZADO: "Trabajo terminado",
    E.CANCELADO: "Cancelado",
}

TIPO_PARA_CLIENTE: dict[T, str] = {
    T.AVERIA: "Reparación de avería",
    T.INSTALACION_INTERNET: "Instalación de internet",
    T.INSTALACION_CAMARAS: "Instalación de cámaras",
    T.RECOJO_DISPOSITIVOS: "Recojo de equipos",
    T.TRASLADO: "Traslado del servicio",
}

# The states after which the link lives only `seguimiento_cliente_horas_tras_cierre` more hours, and the
# historial actions that close a pendiente (the latest one starts that clock).
CERRADOS = frozenset({E.FINALIZADO, E.CANCELADO})
ACCIONES_DE_CIERRE = ("finalizar", "cancelar")


def primer_nombre(nombre: str | None) -> str | None:
    """The technician as the customer may know them: the first given name, nothing more."""
    partes = (nombre or "").split()
    return partes[0] if partes else None
