"""A password never appears in a response or a log line: every logger at DEBUG (SQL statements with
their parameters included) while users log in, are created and change passwords, right and wrong."""

from __future__ import annotations

import logging
import uuid

import pytest

from tests.api.identidad.conftest import nuevo_dni
from tests.conftest import auth


@pytest.fixture
def todo_a_debug(caplog):
    """Root and every named logger at DEBUG (SQLAlchemy sets its own to WARNING), and the capture handler
    also on loggers that do not propagate to the root."""
    caplog.set_level(logging.DEBUG)
    sin_propagar = []
    for nombre, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            caplog.set_level(logging.DEBUG, logger=nombre)
            if not logger.propagate:
                logger.addHandler(caplog.handler)
                sin_propagar.append(logger)
    yield caplog
    for logger in sin_propagar:
        logger.removeHandler(caplog.handler)


async def test_ninguna_password_en_respuestas_ni_logs(http, admin, todo_a_debug):
    caplog = todo_a_debug
    secretos = [f"Secreta-{uuid.uuid4().hex}" for _ in range(3)]
    corta = uuid.uuid4().hex[:8]
    dni = nuevo_dni()
    respuestas = []

    async def pedir(metodo: str, ruta: str, **kw):
        r = await http.request(metodo, ruta, **kw)
        respuestas.append(r)
        return r

    alta = {"nombre": f"Logs {dni}", "dni": dni, "email": f"l{dni}@simax.pe", "password": secretos[0]}
    creado = await pedir("POST", "/api/usuarios", json=alta | {"idRol": "tecnico"}, headers=admin)
    assert creado.status_code == 201
    login = await pedir("POST", "/auth", json={"dni": dni, "password": secretos[0]})
    assert login.status_code == 200
    propio = auth(login.json()["data"]["token"])
    await pedir("POST", "/auth", json={"dni": nuevo_dni(), "password": secretos[0]})
    await pedir("POST", "/auth", json={"dni": ["no", "valido"], "password": secretos[0]})
    cambio = {"passwordActual": secretos[0], "passwordNueva": secretos[1]}
    r = await pedir("PUT", "/api/usuarios/usuario/password", json=cambio, headers=propio)
    assert r.status_code == 200
    propio = auth(r.json()["data"]["token"])  # the change revoked the previous token
    mal = {"passwordActual": secretos[1], "passwordNueva": corta}
    assert (await pedir("PUT", "/api/usuarios/usuario/password", json=mal, headers=propio)).status_code == 422
    usuario_id = creado.json()["data"]["id"]
    await pedir("PUT", f"/api/usuarios/{usuario_id}", json={"password": secretos[2]}, headers=admin)
    await pedir("PUT", f"/api/usuarios/{usuario_id}", json={"password": corta}, headers=admin)
    assert (await pedir("POST", "/auth", json={"dni": dni, "password": secretos[2]})).status_code == 200

    mensajes = [r.getMessage() for r in caplog.records]
    # Logging really was on: the statements that stored the hashes were captured.
    assert any("UPDATE usuarios SET password_hash" in x for x in mensajes)
    capturado = caplog.text + "\n".join(mensajes) + "\n".join(repr(r.__dict__) for r in caplog.records)
    for secreto in [*secretos, corta]:
        assert secreto not in capturado
        for r in respuestas:
            assert secreto not in r.text
    for r in respuestas:
        assert '"password":' not in r.text and "argon2" not in r.text  # no password key, no hash
