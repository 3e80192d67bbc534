"""Fixtures for the payment and note tests: pendientes made by the real workflow (shared with the action
tests), accounts with chosen permissions, and an uploads folder of the test's own."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db import models as m
from tests.api.pendientes.acciones.conftest import crear, personas  # noqa: F401


@pytest.fixture(scope="package", autouse=True)
def carpeta_uploads(app, tmp_path_factory):
    """Uploads go to a temporary folder, never into the working tree; the settings come back after."""
    original = app.state.settings
    carpeta = tmp_path_factory.mktemp("uploads")
    app.state.settings = original.model_copy(update={"uploads_dir": carpeta})
    yield carpeta
    app.state.settings = original


@pytest.fixture(scope="session")
def empleado(personas):  # noqa: F811 - the fixture imported above
    """The empleado id of each demo role's user (tecnico2 = the second technician)."""
    ids = {rol: actor.empleado_id for rol, actor in personas.actores.items()}
    return {**ids, "tecnico": personas.tecnicos[0].empleado_id, "tecnico2": personas.tecnicos[1].empleado_id}


@pytest.fixture(scope="session")
def fila(sessions):
    """Read one row by model and id straight from Postgres."""

    async def _fila(modelo, id_):
        async with sessions() as s:
            return await s.get(modelo, id_)

    return _fila


@pytest.fixture(scope="session")
def historial_de(sessions):
    async def _historial(pendiente_id: int, accion: str) -> list[m.Historial]:
        async with sessions() as s:
            filas = await s.scalars(
                select(m.Historial)
                .where(m.Historial.pendiente_id == pendiente_id, m.Historial.accion == accion)
                .order_by(m.Historial.id)
            )
            return list(filas)

    return _historial


@pytest.fixture(scope="session")
async def otro_cliente(sessions) -> int:
    """A client that is not the one `crear` uses (CLI000002)."""
    async with sessions() as s:
        return await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente != "CLI000002").limit(1))
