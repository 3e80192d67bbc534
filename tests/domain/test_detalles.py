"""The type-detail fields and the network-capable types are defined once, in domain/: the detail tables
(db/), the workflow's message (contrato) and the API's detail schemas follow that definition. The
expected values are the product's, typed here independently of the code."""

from __future__ import annotations

import pytest

from api.pendientes.esquemas import DETALLE_POR_TIPO
from contrato.mensajes import Detalle
from db.lectura import DETALLES
from domain.edicion import CAMPOS_DETALLE, CAMPOS_RED, columnas_detalle
from domain.enums import TIPOS_CON_RED, TipoPendiente

RED = {"vlan", "pppoe_usuario", "pppoe_password_cifrado"}
PRODUCTO = {
    "AVERIA": {"descripcion_falla"} | RED,
    "INSTALACION_INTERNET": {"velocidad_solicitada", "costo_fijo", "tipo_instalacion"} | RED,
    "INSTALACION_CAMARAS": set(),
    "RECOJO_DISPOSITIVOS": {"dispositivo", "motivo"},
    "TRASLADO": {"lugar_destino", "direccion_destino", "tipo_servicio"} | RED,
}
# Columns every detail row has besides its values (key, audit, soft delete).
COMUNES = {"pendiente_id", "fecha_creacion", "fecha_modificacion", "vigente"}


@pytest.mark.parametrize("tipo", list(TipoPendiente))
def test_el_dominio_define_los_valores_de_cada_detalle(tipo):
    assert columnas_detalle(tipo) == PRODUCTO[tipo]


def test_solo_averia_instalacion_de_internet_y_traslado_tienen_red():
    assert {"AVERIA", "INSTALACION_INTERNET", "TRASLADO"} == TIPOS_CON_RED
    assert CAMPOS_RED == RED


@pytest.mark.parametrize("tipo", list(TipoPendiente))
def test_la_tabla_de_cada_detalle_sigue_al_dominio(tipo):
    columnas = {c.name for c in DETALLES[tipo].__table__.columns}
    assert columnas == columnas_detalle(tipo) | COMUNES


def test_el_mensaje_del_detalle_lleva_los_campos_de_todos_los_tipos():
    assert set(Detalle.model_fields) - {"campos"} == set().union(*CAMPOS_DETALLE.values())


@pytest.mark.parametrize("tipo", list(TipoPendiente))
def test_el_esquema_de_alta_de_cada_detalle_sigue_al_dominio(tipo):
    assert set(DETALLE_POR_TIPO[tipo].model_fields) == CAMPOS_DETALLE[tipo]
