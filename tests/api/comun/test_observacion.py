"""Every answer carries a request id (the caller's, when it sends a plain one); the request's log line, in
JSON, says which request, which user, which pendiente and which route, and never a token or a password."""

from __future__ import annotations

import io
import json
import logging
import re
import uuid

import pytest

from api.comun.registro import FiltroSecretos
from infra.logs import FormatoJson


async def test_el_request_id_del_cliente_vuelve_y_si_falta_se_genera(http, h):
    propio = f"req-{uuid.uuid4().hex}"
    r = await http.get("/health", headers={"X-Request-ID": propio})
    assert r.headers["x-request-id"] == propio
    generados = {(await http.get("/health")).headers["x-request-id"] for _ in range(2)}
    assert len(generados) == 2 and all(re.fullmatch(r"[0-9a-f]{32}", g) for g in generados)
    # Not a plain token (it would go into log lines and headers as is): replaced by a fresh one.
    for raro in ("a b", "x" * 129, 'id";x=1', "a\tb"):
        r = await http.get("/health", headers={"X-Request-ID": raro})
        assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"]), raro
    # Refusals and errors carry it too.
    r = await http.get("/api/pendientes/1", headers={"X-Request-ID": propio})
    assert r.status_code == 401 and r.headers["x-request-id"] == propio


@pytest.fixture
def lineas_json():
    """The API's records as the production handler writes them (JSON, secrets filter on the handler)."""
    salida = io.StringIO()
    manejador = logging.StreamHandler(salida)
    manejador.setFormatter(FormatoJson())
    manejador.addFilter(FiltroSecretos())
    logger = logging.getLogger("pendientes")
    nivel = logger.level
    logger.addHandler(manejador)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(x) for x in salida.getvalue().splitlines()]
    logger.removeHandler(manejador)
    logger.setLevel(nivel)


async def test_la_linea_json_dice_request_usuario_y_pendiente(http, tokens, h, crear, lineas_json):
    """...and no secret, even from a query string or the token itself."""
    pendiente_id = await crear()
    yo = (await http.get("/api/usuarios/usuario", headers=h["coordinadora"])).json()["data"]
    rid = f"req-{uuid.uuid4().hex}"
    cabeceras = h["coordinadora"] | {"X-Request-ID": rid}
    # An old client's PPPoE password in the query string, and the token itself there too.
    consulta = f"pppoePassword=Secreta-{rid}&token={tokens['coordinadora']}"
    r = await http.get(f"/api/pendientes/{pendiente_id}?{consulta}", headers=cabeceras)
    assert r.status_code == 200

    mias = [x for x in lineas_json() if x.get("request_id") == rid]
    assert len(mias) == 1, lineas_json()
    linea = mias[0]
    assert linea["usuario_id"] == yo["id"]
    assert linea["pendiente_id"] == pendiente_id
    assert linea["ruta"] == "/api/pendientes/{id}" and linea["status"] == 200 and linea["metodo"] == "GET"
    assert linea["logger"] == "pendientes.http" and linea["nivel"] == "INFO" and linea["ms"] >= 0
    texto = json.dumps(mias)
    for secreto in (f"Secreta-{rid}", tokens["coordinadora"], tokens["coordinadora"].split(".")[1]):
        assert secreto not in texto
    assert "authorization" not in texto.lower() and "bearer" not in texto.lower()


async def test_sin_token_la_linea_no_tiene_usuario(http, lineas_json):
    rid = f"req-{uuid.uuid4().hex}"
    assert (await http.get("/api/pendientes/5", headers={"X-Request-ID": rid})).status_code == 401
    [linea] = [x for x in lineas_json() if x.get("request_id") == rid]
    assert "usuario_id" not in linea and linea["status"] == 401 and linea["pendiente_id"] == 5
