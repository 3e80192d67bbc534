"""Every HTTP example of README.md and docs/*.md works as written against a fresh `make run` (issue 10).

`python -m ops.run` — what `make run` runs — is started on a database of its own with the demo loaded,
pointed at the tests' Temporal server on a task queue of its own. Then each doc's ```sh blocks are run in
order (tests/docs/ejemplos.py reads them): the README first, whose `token` function and role headers the
other docs use. Each curl command must answer the status its `# → NNN` comment states.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from infra.config import Settings
from tests.conftest import create_database
from tests.docs.ejemplos import (
    EjemploInvalido,
    Entorno,
    curl_fuera_de_bloques,
    documentos,
    ejecutar,
    sentencias,
)

ARRANQUE = (
    180  # seconds: Temporal, migrations, the worker and the demo's 65 pendientes before the API answers
)
# A JPEG as the README's upload example expects in the reader's directory ("any JPEG").
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(32) + b"\xff\xd9"


def _puerto() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def make_run(postgres_server_url, tmp_path_factory) -> Iterator[str]:
    """The product as `make run` starts it, with the demo, on a fresh database (the tests' Postgres server)
    and its own Temporal dev server; yields its base URL."""
    directorio = tmp_path_factory.mktemp("make-run")
    puerto = _puerto()
    env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    env |= {
        "DATABASE_URL": create_database(postgres_server_url, "docs"),
        # Its own Temporal dev server, as `make run` starts it: the demo's workflows are `pendiente-1` to
        # `pendiente-65`, ids the other tests' pendientes take on the shared server too.
        "TEMPORAL_PORT": str(_puerto()),
        "TEMPORAL_UI_PORT": str(_puerto()),
        "DATA_DIR": str(directorio / "datos"),
        "UPLOADS_DIR": str(directorio / "datos" / "uploads"),
        "DEMO_DATA": "true",
        "API_PORT": str(puerto),
        "LOGIN_FALLOS_POR_DIRECCION": "1000",
    }
    registro = directorio / "make-run.log"
    with registro.open("wb") as salida:
        proceso = subprocess.Popen(
            [sys.executable, "-m", "ops.run"], cwd=directorio, env=env, stdout=salida, stderr=salida
        )
    base = f"http://127.0.0.1:{puerto}"
    try:
        limite = time.monotonic() + ARRANQUE
        while True:
            assert proceso.poll() is None, f"make run exited:\n{registro.read_text()[-4000:]}"
            assert time.monotonic() < limite, f"make run never served:\n{registro.read_text()[-4000:]}"
            try:
                if httpx.get(base + "/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        yield base
    finally:
        proceso.terminate()
        try:
            proceso.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proceso.kill()
            proceso.wait()


@pytest.fixture(scope="module")
def lector(make_run, tmp_path_factory) -> Iterator[tuple[Entorno, httpx.Client]]:
    """The reader's shell after the README's definitions (token, role headers), in a directory with the
    photo the upload example sends."""
    carpeta = tmp_path_factory.mktemp("lector")
    (carpeta / "foto.jpg").write_bytes(JPEG)
    entorno = Entorno(make_run, carpeta)
    with httpx.Client(timeout=30) as http:
        yield entorno, http


DOCS = documentos()


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_every_example_answers_what_the_doc_says(doc: Path, lector) -> None:
    entorno, http = lector
    if doc.name != "README.md":
        entorno = entorno.copia()  # docs add to the README's shell; the README's own lines ran first
    fallos, ejemplos = [], 0
    for sentencia in sentencias(doc):
        resultado = ejecutar(sentencia, entorno, http)
        if resultado is None:
            continue
        ejemplos += 1
        peticion, respuesta = resultado
        if respuesta.status_code != peticion.esperado:
            fallos.append(
                f"{doc.name}:{sentencia.linea}: {peticion.metodo} {peticion.url} answered "
                f"{respuesta.status_code}, the doc says {peticion.esperado}: {respuesta.text[:400]}"
            )
    assert ejemplos > 0, f"{doc.name} has no HTTP example (curl … # → <status> in a ```sh block)"
    assert fallos == [], "\n".join(fallos)


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_no_curl_example_outside_a_sh_block(doc: Path) -> None:
    assert curl_fuera_de_bloques(doc) == []


# --- the reader fails what it cannot read -------------------------------------------------------------


def _leer(tmp_path: Path, texto: str) -> list:
    doc = tmp_path / "x.md"
    doc.write_text(texto, encoding="utf-8")
    entorno = Entorno("http://127.0.0.1:9", tmp_path)
    with httpx.Client() as http:
        return [ejecutar(s, entorno, http) for s in sentencias(doc)]


@pytest.mark.parametrize(
    "texto",
    [
        "```sh\ncurl -s localhost:8000/health\n```\n",  # no expected status
        "```sh\ncurl -s --compressed localhost:8000/health  # → 200\n```\n",  # an option not understood
        "```sh\ncurl -s example.org/health  # → 200\n```\n",  # not the API
        "```sh\nX=$(curl -s localhost:8000/auth)\n```\n",  # curl in a form not understood
        '```sh\ncurl -s localhost:8000/api -H "$NADIE"  # → 200\n```\n',  # an undefined variable
    ],
)
def test_an_example_the_reader_cannot_run_fails(tmp_path: Path, texto: str) -> None:
    with pytest.raises(EjemploInvalido):
        _leer(tmp_path, texto)


def test_a_curl_in_the_prose_is_reported(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text("Try `curl -s localhost:8000/health`.\n\n```sh\nmake run\n```\n", encoding="utf-8")
    assert curl_fuera_de_bloques(doc) == ["x.md:1: Try `curl -s localhost:8000/health`."]


def test_commands_comments_and_continuations_are_read_as_the_shell_does(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text(
        "```sh\n"
        "# it's a comment with a quote\n"
        'curl -s -X POST localhost:8000/api/x -H "$J" \\\n'
        '  -d \'{"a": 1,\n'
        '       "b": "# not a comment"}\'   # → 201\n'
        "cat > .env <<EOF\n"
        "SECRETO=$(openssl rand -hex 4)\n"
        "EOF\n"
        "```\n",
        encoding="utf-8",
    )
    leidas = sentencias(doc)
    assert [(s.linea, s.palabras[0]) for s in leidas] == [(3, "curl"), (6, "cat")]
    assert leidas[0].palabras[-1] == '{"a": 1,\n       "b": "# not a comment"}'
    assert leidas[0].comentario.strip() == "→ 201"
