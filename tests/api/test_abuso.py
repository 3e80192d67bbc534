"""Abuse of what an anonymous caller can reach (login, public app-version reads, /health, the /ws
handshake, the docs), against the real API in its own process: a login flood leaves other requests fast,
and hundreds of malformed requests get a 4xx (never a 5xx, never a stack trace) while the server keeps
answering."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import sys
import time
import uuid

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from db.migrate import upgrade
from tests.conftest import create_database

# Start-up is a few seconds; this only bounds a server that will never answer.
SALUD_SEGUNDOS = 60
ESPERA = 20  # seconds any single request may take before the test fails
# Words that only a leaked internal error would put in an answer or in the server's log.
INTERNOS = ("Traceback", "sqlalchemy", "psycopg", 'File "', "Exception in ASGI")


def _puerto() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
async def api(postgres_server_url, settings, tmp_path_factory):
    """`uvicorn api.main:app` on a free port, on a database of its own: the hundreds of failed
    logins sent here from 127.0.0.1 must not count against the other tests' logins from that address.
    The per-address login limit is lifted (it has tests of its own in tests/api/identidad): this module
    measures what the server does with the logins it does evaluate."""
    url = create_database(postgres_server_url, "abuso")
    upgrade(url)
    puerto = _puerto()
    env = dict(
        os.environ,
        DATABASE_URL=url,
        TEMPORAL_ADDRESS=settings.temporal_address,
        TEMPORAL_TASK_QUEUE=settings.temporal_task_queue,
        JWT_SECRET=settings.jwt_secret.get_secret_value(),
        SECRETS_KEY=settings.secrets_key.get_secret_value(),
        ENVIRONMENT="test",
        DEMO_DATA="false",
        UPLOADS_DIR=str(tmp_path_factory.mktemp("uploads")),
        LOGIN_FALLOS_POR_DIRECCION="100000",
    )
    comando = [sys.executable, "-m", "uvicorn", "api.main:app", "--port", str(puerto)]
    comando += ["--log-level", "warning"]
    registro = tmp_path_factory.mktemp("api") / "stderr.txt"
    with registro.open("wb") as salida:
        proceso = await asyncio.create_subprocess_exec(*comando, env=env, stderr=salida)
    base = f"http://127.0.0.1:{puerto}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=ESPERA) as http:
            await _esperar_salud(http, proceso, registro)
        yield base, registro
    finally:
        if proceso.returncode is None:
            proceso.terminate()
        await proceso.wait()


async def _esperar_salud(http: httpx.AsyncClient, proceso, registro) -> None:
    reloj = asyncio.get_running_loop()
    limite = reloj.time() + SALUD_SEGUNDOS
    estado = "no answer"
    while proceso.returncode is None and reloj.time() < limite:
        try:
            respuesta = await http.get("/health")
            if respuesta.status_code == 200:
                return
            estado = f"HTTP {respuesta.status_code}"
        except httpx.TransportError as error:
            estado = repr(error)
        await asyncio.sleep(0.1)
    motivo = f"exited with {proceso.returncode}" if proceso.returncode is not None else estado
    pytest.fail(f"the API never became healthy ({motivo}); stderr:\n{registro.read_text()[-4000:]}")


def _dni() -> str:
    return f"4{uuid.uuid4().int % 10**7:07d}"


async def _tiempo(http: httpx.AsyncClient, url: str) -> float:
    inicio = time.perf_counter()
    r = await http.get(url)
    assert r.status_code in (200, 404), r.text  # 404: no app version published yet
    return time.perf_counter() - inicio


# --- A login flood does not stall the server ---------------------------------------------------------

BARATA = "/app/app-version/ultima"
FLOOD = 40
# Each argon2 verification takes tens of ms of CPU; run on the event loop, 40 of them stall every other
# request for seconds. Off the loop, a cheap read stays within a small factor of its idle time (measured
# on 2 busy cores: ~6x off the loop, ~300x on it; 30 leaves room for a loaded machine).
FACTOR = 30


async def test_40_logins_a_la_vez_no_frenan_una_lectura_barata(api):
    base, _ = api
    limites = httpx.Limits(max_connections=FLOOD + 5)
    # 40 argon2 hashes queue on a few threads: on a busy machine the last login may take long. That is
    # fine (what matters is the reads), so only a stuck server times out.
    async with httpx.AsyncClient(base_url=base, timeout=FLOOD * ESPERA / 4, limits=limites) as http:
        for _ in range(5):  # warm the pool and the route
            await _tiempo(http, BARATA)
        reposo = statistics.median([await _tiempo(http, BARATA) for _ in range(20)])

        cuerpos = [{"dni": _dni(), "password": uuid.uuid4().hex} for _ in range(FLOOD)]
        logins = [asyncio.create_task(http.post("/auth", json=c)) for c in cuerpos]
        durante: list[float] = []
        while not all(t.done() for t in logins):
            durante.append(await _tiempo(http, BARATA))
        respuestas = await asyncio.gather(*logins)

    assert [r.status_code for r in respuestas] == [401] * FLOOD  # every one evaluated, none refused
    assert len(durante) >= 3, f"the flood ended before the reads could overlap it: {durante}"
    mediana = statistics.median(durante)
    assert mediana < FACTOR * reposo, (
        f"cheap read took {mediana * 1000:.1f} ms (median of {len(durante)}) during the login flood, "
        f"{reposo * 1000:.1f} ms idle"
    )


# --- Malformed and hostile requests: never a 5xx ----------------------------------------------------

JSON_CT = {"content-type": "application/json"}
GRANDE = "A" * 8000  # a token of 8 kB, within what the HTTP server accepts in a header

PETICIONES = [
    ("POST", "/auth", {"content": b"{"}),
    ("POST", "/auth", {"content": b"null", "headers": {"content-type": "application/json"}}),
    ("POST", "/auth", {"content": b"[]", "headers": {"content-type": "application/json"}}),
    ("POST", "/auth", {"content": "dni=1&password=2", "headers": {"content-type": "text/plain"}}),
    ("POST", "/auth", {"json": {"dni": "1" * 10_000, "password": "x"}}),
    ("POST", "/auth", {"json": {"dni": "10000001", "password": "x" * 100_000}}),
    ("POST", "/auth", {"json": {"dni": "1000\x000001", "password": "x"}}),
    ("POST", "/auth", {"content": rb'{"dni":"\ud800","password":"\udfff"}', "headers": JSON_CT}),
    ("POST", "/auth", {"json": {"dni": {"$ne": ""}, "password": {"$ne": ""}}}),
    ("POST", "/auth", {"json": {"dni": "' OR 1=1 --", "password": "' OR 1=1 --"}}),
    ("POST", "/auth", {"content": b"\xff\xfe\x00garbage", "headers": {"content-type": "application/json"}}),
    ("POST", "/auth", {"content": b"x" * 2_000_000, "headers": {"content-type": "application/json"}}),
    ("GET", "/auth", {}),
    ("POST", "/auth/refrescar", {"headers": {"authorization": "Bearer " + GRANDE}}),
    ("GET", "/auth/validar-token", {"headers": {"authorization": "Bearer a.b.c"}}),
    ("GET", "/auth/validar-token", {"headers": {"authorization": "Basic " + GRANDE}}),
    ("GET", "/auth/validar-token", {"headers": {"authorization": "Bearer eyJhbGciOiJub25lIn0.e30."}}),
    ("GET", "/app/app-version/ultima", {"params": {"plataforma": "A" * 5000}}),
    ("GET", "/app/app-version/ultima", {"params": {"plataforma": "\x00"}}),
    ("GET", "/app/app-version/vigentes", {"params": {"page": "-1", "size": "10000000000000000000000"}}),
    ("GET", "/app/app-version/vigentes", {"params": {"sort": "id;DROP TABLE usuarios,asc"}}),
    ("GET", "/app/app-version/vigentes", {"params": {"page": "1e309", "size": "NaN"}}),
    ("POST", "/app/app-version", {"json": {"versionCode": "9"}}),
    ("GET", "/health", {"headers": {"authorization": "Bearer " + GRANDE}}),
    ("GET", "/health", {"params": {"x" * 1000: "y" * 1000}}),
    ("GET", "/docs", {}),
    ("GET", "/openapi.json", {}),
    ("GET", "/redoc", {}),
    ("GET", "/ws", {}),
    ("GET", "/ws", {"params": {"token": GRANDE}}),
    ("GET", "/%2e%2e/%2e%2e/etc/passwd", {}),
    ("GET", "/uploads/notas/..%2f..%2fpyproject.toml", {}),
    ("OPTIONS", "/auth", {}),
    ("DELETE", "/auth", {}),
    ("TRACE", "/health", {}),
]


def _sin_internos(texto: str) -> None:
    for palabra in INTERNOS:
        assert palabra not in texto, texto[:2000]


async def test_peticiones_malformadas_nunca_dan_5xx(api):
    base, registro = api
    async with httpx.AsyncClient(base_url=base, timeout=ESPERA) as http:
        vistas = []
        for _vuelta in range(300 // len(PETICIONES) + 1):  # a bounded hammer: about 300 requests
            for metodo, ruta, opciones in PETICIONES:
                r = await http.request(metodo, ruta, **opciones)
                assert r.status_code < 500, (metodo, ruta, r.status_code, r.text[:500])
                _sin_internos(r.text)
                vistas.append(r.status_code)
        assert len(vistas) >= 300
        # Still responsive afterwards.
        assert (await http.get("/health")).status_code == 200
    _sin_internos(registro.read_text(errors="replace"))


async def test_el_handshake_de_ws_con_tokens_basura_se_rechaza(api):
    base, registro = api
    ws = base.replace("http://", "ws://") + "/ws"
    for token in ("", "x", "a.b.c", GRANDE, "%00", "eyJhbGciOiJub25lIn0.e30."):
        for _ in range(10):
            with pytest.raises(InvalidStatus) as error:
                async with connect(f"{ws}?token={token}", open_timeout=ESPERA):
                    pass
            assert error.value.response.status_code == 403
    async with httpx.AsyncClient(base_url=base, timeout=ESPERA) as http:
        assert (await http.get("/health")).status_code == 200
    _sin_internos(registro.read_text(errors="replace"))


# --- Property-based: any JSON body on the login ------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda hijos: st.lists(hijos, max_size=4) | st.dictionaries(st.text(max_size=10), hijos, max_size=4),
    max_leaves=10,
)
CUERPOS = st.one_of(
    JSON,
    st.fixed_dictionaries({"dni": JSON, "password": JSON}),
    st.fixed_dictionaries({"dni": st.text(max_size=30), "password": st.text(max_size=300)}),
)


def test_cualquier_cuerpo_de_login_es_401_422_o_429(api):
    base, registro = api
    with httpx.Client(base_url=base, timeout=ESPERA) as http:

        @hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(CUERPOS)
        def _login(cuerpo):
            r = http.post("/auth", content=json.dumps(cuerpo), headers={"content-type": "application/json"})
            assert r.status_code in (401, 422, 429), (cuerpo, r.status_code, r.text[:500])
            assert r.json()["code"] == r.status_code
            _sin_internos(r.text)

        _login()
    _sin_internos(registro.read_text(errors="replace"))
