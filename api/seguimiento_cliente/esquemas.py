"""What dispatch receives (the link) and what the customer reads (nothing beyond these five fields)."""

from __future__ import annotations

from datetime import date

from api.comun.tipos import Camel, FechaHora


class EnlaceResponse(Camel):
    url: str
    # When the link stops answering: null while the pendiente is open.
    expira: FechaHora | None = None


class SeguimientoResponse(Camel):
    tipo: str
    estado: str
    fecha_programada: date | None = None
    tecnico: str | None = None
    actualizado: FechaHora
