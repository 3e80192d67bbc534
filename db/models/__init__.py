"""The models of the whole domain, one module per feature. Importing this package registers every table
in `Base.metadata` (what Alembic and the schema tests compare), so it imports every model module, and it
exposes the names for the callers that write `from db import models as m; m.Pendiente`."""

from db.models.base import Base, ColumnasComunes, StrEnumType
from db.models.catalogo import AppVersion, Catalogo, CatalogoProducto, PendienteItem, Producto
from db.models.clientes import Cliente
from db.models.etiquetas import Etiqueta, PendienteEtiqueta
from db.models.eventos import Entrega, Evento, IntentoEntrega, Webhook
from db.models.identidad import Cargo, ClaveFirma, Empleado, IntentoLogin, Modulo, ModuloRol, Rol, Usuario
from db.models.notas import PendienteNota, PendienteNotaImagen
from db.models.operaciones import Reconciliacion
from db.models.pagos import Pago
from db.models.pendientes import (
    DetalleTipo,
    Historial,
    IdempotencyKey,
    Pendiente,
    PendienteAveria,
    PendienteInstalacionCamaras,
    PendienteInstalacionInternet,
    PendienteRecojoDispositivo,
    PendienteTraslado,
)
from db.models.repetitivos import OcurrenciaRepetitivo, Repetitivo
from db.models.seguimiento import Notificacion, PendienteTiempo
from db.models.seguimiento_cliente import EnlaceSeguimiento

__all__ = [
    # base
    "Base",
    "ColumnasComunes",
    "StrEnumType",
    # identidad
    "Cargo",
    "ClaveFirma",
    "Empleado",
    "IntentoLogin",
    "Modulo",
    "ModuloRol",
    "Rol",
    "Usuario",
    # clientes
    "Cliente",
    # pendientes
    "DetalleTipo",
    "Historial",
    "IdempotencyKey",
    "Pendiente",
    "PendienteAveria",
    "PendienteInstalacionCamaras",
    "PendienteInstalacionInternet",
    "PendienteRecojoDispositivo",
    "PendienteTraslado",
    # seguimiento
    "Notificacion",
    "PendienteTiempo",
    # seguimiento del cliente
    "EnlaceSeguimiento",
    # catalogo
    "AppVersion",
    "Catalogo",
    "CatalogoProducto",
    "PendienteItem",
    "Producto",
    # notas
    "PendienteNota",
    "PendienteNotaImagen",
    # pagos
    "Pago",
    # operaciones
    "Reconciliacion",
    # eventos y webhooks
    "Entrega",
    "Evento",
    "IntentoEntrega",
    "Webhook",
    # etiquetas
    "Etiqueta",
    "PendienteEtiqueta",
    # repetitivos
    "OcurrenciaRepetitivo",
    "Repetitivo",
]
