"""Bodies of tiempos, historial and notificaciones (camelCase, as the original). Requests are
`Camel` bodies, like every body: a 422 names their fields in camelCase."""

from __future__ import annotations

from pydantic import Field

from api.comun.tipos import Camel, FechaHora, Id
from domain.enums import EstadoPendiente, EstadoTecnico, NotificationEstado, NotificationTipo


class TiempoRequest(Camel):
    pendiente_id: Id | None = None
    empleado_id: Id | None = None
    hora_inicio: FechaHora | None = None
    hora_fin: FechaHora | None = None
    descripcion: str | None = Field(default=None, max_length=255)


class TiempoResponse(Camel):
    id: int
    pendiente_id: int
    empleado_id: int
    empleado_nombre: str
    hora_inicio: FechaHora
    hora_fin: FechaHora | None
    descripcion: str | None
    minutos: int | None


class HistorialRequest(Camel):
    pendiente_id: Id
    detalles: str = Field(min_length=1, max_length=500)
    # Accepted for old clients only when they state the truth: the caller and the current state.
    empleado_id: Id | None = None
    estado: EstadoPendiente | None = None


class HistorialResponse(Camel):
    id: int
    pendiente_id: int
    empleado_id: int | None
    empleado_nombre: str
    accion: str
    estado_anterior: EstadoPendiente | None
    estado: EstadoPendiente
    estado_tecnico_anterior: EstadoTecnico | None
    estado_tecnico: EstadoTecnico | None
    detalles: str | None
    fecha_creacion: FechaHora


class NotificacionRequest(Camel):
    titulo: str | None = Field(default=None, min_length=1, max_length=200)
    mensaje: str | None = Field(default=None, max_length=5000)
    tipo: NotificationTipo | None = None
    estado: NotificationEstado | None = None
    usuario_id: Id | None = None


class NotificacionResponse(Camel):
    id: int
    titulo: str
    mensaje: str | None
    tipo: NotificationTipo
    estado: NotificationEstado
    fecha_creacion: FechaHora
    usuario_id: int
    pendiente_id: int | None
