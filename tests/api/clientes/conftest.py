"""Helpers for the clientes tests: clients of their own, with documents no other test uses, made over
HTTP as a coordinator would (demo clients are left alone)."""

from __future__ import annotations

import itertools
import uuid

import pytest

from tests.conftest import auth

# Unique numbers per session: the uuid prefix keeps two test sessions on one database apart.
_serie = itertools.count(uuid.uuid4().int % 10**5 * 1000)


def siguiente() -> int:
    return next(_serie) % 10**8


def nuevo_dni() -> str:
    return f"{siguiente():08d}"


def nuevo_ruc(prefijo: str = "20") -> str:
    return f"{prefijo}{siguiente():09d}"


def nuevo_codigo() -> str:
    return f"T-{uuid.uuid4().hex[:12]}"


def cuerpo_persona(**extra) -> dict:
    return {
        "tipoCliente": "PERSONA",
        "nombre": "Teresa Mamani Quispe",
        "tipoDocumento": "DNI",
        "numeroDocumento": nuevo_dni(),
        "codigoCliente": nuevo_codigo(),
        "direccion": "Jr. Lima 123, Puno",
        "telefono": "951123456",
        "email": "teresa.mamani@correo.pe",
        "contactoRepresentante": None,
    } | extra


@pytest.fixture
def gestor(tokens) -> dict[str, str]:
    """Coordinadora: holds GESTIONAR_CLIENTES."""
    return auth(tokens["coordinadora"])


@pytest.fixture
def crear_cliente(http, gestor):
    async def _crear(**extra) -> dict:
        r = await http.post("/api/clientes", json=cuerpo_persona(**extra), headers=gestor)
        assert r.status_code == 201, r.text
        return r.json()["data"]

    return _crear
