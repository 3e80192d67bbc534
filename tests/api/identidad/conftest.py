"""Helpers for the identity tests: accounts and roles of their own, made over HTTP as an admin would,
so no test changes a demo user or role that other tests log in with."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import auth

PASSWORD = "clave-de-prueba-123"


def nuevo_dni() -> str:
    return f"3{uuid.uuid4().int % 10**7:07d}"


def nueva_direccion() -> str:
    """A client address no other test uses (documentation range), so login limits of one test never
    reach another."""
    n = uuid.uuid4().hex
    return f"2001:db8:{n[:4]}:{n[4:8]}::{n[8:12]}"


@dataclass
class Cuenta:
    id: int
    dni: str
    password: str
    token: str
    empleado_id: int | None

    @property
    def headers(self) -> dict[str, str]:
        return auth(self.token)


class Fabrica:
    """Creates roles, empleados and users through the API, as an administrator."""

    def __init__(self, http, admin_token: str) -> None:
        self.http = http
        self.admin = auth(admin_token)

    async def rol(self, *permisos: str) -> str:
        rol_id = f"prueba-{uuid.uuid4().hex[:8]}"
        cuerpo = {"id": rol_id, "nombre": f"Rol {rol_id}", "permisos": list(permisos)}
        r = await self.http.post("/api/usuarios/roles", json=cuerpo, headers=self.admin)
        assert r.status_code == 201, r.text
        return rol_id

    async def empleado(self, nombre: str = "Prueba") -> int:
        cargos = await self.http.get("/api/empleados/cargos", headers=self.admin)
        cargo_id = next(c["id"] for c in cargos.json()["data"] if c["nombre"] == "Tecnico")
        cuerpo = {
            "nombre": nombre,
            "apellidoPaterno": "Mamani",
            "cargoId": cargo_id,
            "fechaIngreso": "2025-01-02",
        }
        r = await self.http.post("/api/empleados", json=cuerpo, headers=self.admin)
        assert r.status_code == 201, r.text
        return r.json()["data"]["id"]

    async def cuenta(self, rol: str, *, con_empleado: bool = True, password: str = PASSWORD) -> Cuenta:
        dni = nuevo_dni()
        empleado_id = await self.empleado(f"Empleado {dni}") if con_empleado else None
        cuerpo = {
            "nombre": f"Usuario {dni}",
            "dni": dni,
            "email": f"u{dni}@simax.pe",
            "password": password,
            "idRol": rol,
            "empleadoId": empleado_id,
        }
        r = await self.http.post("/api/usuarios", json=cuerpo, headers=self.admin)
        assert r.status_code == 201, r.text
        return Cuenta(r.json()["data"]["id"], dni, password, await self.login(dni, password), empleado_id)

    async def login(self, dni: str, password: str) -> str:
        r = await self.http.post("/auth", json={"dni": dni, "password": password})
        assert r.status_code == 200, r.text
        return r.json()["data"]["token"]


@pytest.fixture
async def desde(app):
    """Factory: an HTTP client to the same app whose requests come from `direccion` (a new one if None)."""
    clientes: list[httpx.AsyncClient] = []

    def _desde(direccion: str | None = None) -> httpx.AsyncClient:
        transporte = httpx.ASGITransport(app=app, client=(direccion or nueva_direccion(), 40000))
        cliente = httpx.AsyncClient(transport=transporte, base_url="http://pendientes.test")
        clientes.append(cliente)
        return cliente

    yield _desde
    for cliente in clientes:
        await cliente.aclose()


@pytest.fixture
def fabrica(http, tokens) -> Fabrica:
    return Fabrica(http, tokens["administrador"])


@pytest.fixture
def admin(tokens) -> dict[str, str]:
    return auth(tokens["administrador"])
