from tests.acciones.conftest import crear, historial, personas  # noqa: F401
