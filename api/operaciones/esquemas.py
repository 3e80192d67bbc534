"""Answers of the operators' endpoints."""

from __future__ import annotations

from api.comun.tipos import Camel, FechaHora


class HallazgoResponse(Camel):
    id: int
    pendiente_id: int | None
    tipo: str
    detalle: str
    reparado: bool
    fecha: FechaHora
