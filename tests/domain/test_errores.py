"""Every error type travels under one name (domain.errores.TipoError) and maps to one HTTP status."""

from __future__ import annotations

import pytest
from temporalio.exceptions import ApplicationError

from domain.acciones import Rechazo
from domain.errores import TipoError, desde_workflow

STATUS = {
    "SinPermiso": 403,
    "NoAsignado": 403,
    "TransicionInvalida": 409,
    "Bloqueado": 409,
    "VersionObsoleta": 409,
    "DatosInvalidos": 422,
    "TecnicoInvalido": 422,
    "ClaveReutilizada": 422,
    "DataError": 422,
    "NoEncontrado": 404,
    "BaseDeDatosNoDisponible": 503,
    "ErrorInterno": 500,
}


@pytest.mark.parametrize("tipo", list(TipoError))
def test_cada_tipo_tiene_su_estado_http(tipo):
    assert desde_workflow(ApplicationError("m", type=tipo)).status == STATUS[tipo]


def test_los_tipos_son_los_de_siempre():
    assert {t.value for t in TipoError} == set(STATUS)


def test_los_rechazos_del_dominio_son_tipos_de_error():
    assert {r.value for r in Rechazo} <= {t.value for t in TipoError}


def test_un_tipo_desconocido_es_un_500_sin_detalles():
    error = desde_workflow(ApplicationError("SELECT * FROM x", type="OtraCosa"))
    assert error.status == 500 and "SELECT" not in error.mensaje
