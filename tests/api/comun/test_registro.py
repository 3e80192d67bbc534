"""Query-string secrets (accepted for old clients) and tokens are redacted from the logs, judged after
percent-decoding the key as the server does."""

from __future__ import annotations

import asyncio
import logging
import socket

import httpx
import pytest
import uvicorn
from websockets.asyncio.client import connect

from api.comun.registro import FiltroSecretos, instalar_filtro


def test_la_linea_de_acceso_no_lleva_la_password(caplog):
    instalar_filtro()
    ruta = "/api/pendientes/7/averia/ppoe?ppoeUser=ana&ppoePassword=Secreta123&x=1"
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "1.2.3.4", "PUT", ruta, "1.1", 200
        )
    assert "Secreta123" not in caplog.text
    assert "ppoePassword=***&x=1" in caplog.text and "ppoeUser=ana" in caplog.text


def test_el_filtro_cubre_ambas_grafias():
    registro = logging.LogRecord(
        "x", logging.INFO, "f", 1, "pppoePassword=abc y PPOEPASSWORD=def", None, None
    )
    FiltroSecretos().filter(registro)
    assert "abc" not in registro.getMessage() and "def" not in registro.getMessage()


@pytest.fixture
async def servidor_con_registro(app):
    """The app behind a real uvicorn that writes its access log (uvicorn's loggers propagate to the
    root, where caplog listens: log_config=None keeps uvicorn from installing its own handlers)."""
    escucha = socket.socket()
    escucha.bind(("127.0.0.1", 0))
    escucha.listen()
    puerto = escucha.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", log_config=None, log_level="info", access_log=True)
    servidor = uvicorn.Server(config)
    tarea = asyncio.create_task(servidor.serve(sockets=[escucha]))
    yield f"127.0.0.1:{puerto}"
    servidor.should_exit = True
    await asyncio.wait_for(tarea, 10)
    escucha.close()


async def test_ningun_secreto_de_la_url_llega_al_registro_de_un_servidor_real(
    servidor_con_registro, tokens, caplog
):
    """Requests as old clients send them: the WebSocket token in the query, the PPPoE password under a
    percent-encoded key, other secret names. The access log shows the requests, never the secrets."""
    jwt = tokens["red"]
    base = servidor_con_registro
    secretos = {"Secreta-1": "ppoe%50assword", "Clara-2": "password", "Clara-3": "pppoe%2550assword"}
    secretos |= {"Clara-4": "access_token", "Clara-5": "passwordNueva", "Clara-6": "pppoePassword"}
    consulta = "&".join(f"{clave}={valor}" for valor, clave in secretos.items())
    with caplog.at_level(logging.INFO):
        async with httpx.AsyncClient(base_url=f"http://{base}", timeout=10) as http:
            cabeceras = {"Authorization": f"Bearer {jwt}"}
            await http.put(
                f"/api/pendientes/999999999/averia/ppoe?ppoeUser=ana&{consulta}", headers=cabeceras
            )
            await http.get(f"/api/pendientes?token={jwt}&{consulta}", headers=cabeceras)
        async with connect(f"ws://{base}/ws?token={jwt}", open_timeout=10):
            pass
        # The server logs a request line once it has answered; wait (bounded) for the WebSocket's.
        async with asyncio.timeout(10):
            while "WebSocket /ws?" not in caplog.text:
                await asyncio.sleep(0.05)
    # The server's records (the test's own HTTP client logs its requests, secrets and all).
    texto = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("uvicorn"))
    assert "/averia/ppoe?ppoeUser=ana&ppoe%50assword=***&" in texto, texto
    assert "/ws?token=*** " in texto or '/ws?token=***"' in texto, texto
    for secreto in (jwt, jwt.split(".")[1], *secretos):
        assert secreto not in texto, secreto


@pytest.mark.parametrize(
    ("clave", "secreta"),
    [
        ("ppoe%50assword", True),
        ("PPPOE%5FPASSWORD", True),
        ("pass%2577ord", True),
        ("token", True),
        ("access_token", True),
        ("refreshToken", True),
        ("passwordActual", True),
        ("client_secret", True),
        ("ppoeUser", False),
        ("motivo", False),
        ("nuevoEstado", False),
    ],
)
def test_las_claves_se_juzgan_decodificadas(clave, secreta):
    linea = f"/x?{clave}=valor-7&y=1"
    oculta = FiltroSecretos()
    registro = logging.LogRecord("uvicorn.access", logging.INFO, "f", 1, "%s", (linea,), None)
    oculta.filter(registro)
    assert ("valor-7" not in registro.getMessage()) is secreta
    assert registro.getMessage().endswith("&y=1")
