"""The HTTP examples of README.md and docs/*.md, read from the markdown as they are written.

The format (README, "Examples in the docs"): examples are `curl` commands in ```sh blocks, each followed
by a comment with the status it answers, `# → 200`. A block may also define variables (`J='content-type:
application/json'`, `COORD="Authorization: Bearer $(token 10000002)"`) and a one-line shell function whose
body is `curl … | python3 -c '…'` (the README's `token`). This module parses that much shell and nothing
more: anything else in a block that calls curl is reported as unparsable, never skipped.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
HOST = "localhost:8000"
_BLOQUE = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)
_ESPERADO = re.compile(r"→\s*(\d{3})\b")
_ASIGNACION = re.compile(r"([A-Za-z_]\w*)=(.*)", re.DOTALL)
_LLAMADA = re.compile(r"\$\((\w+)((?:\s+[^)\s]+)*)\)")
_VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


class EjemploInvalido(Exception):
    """A doc's example that this module cannot read: the doc must be fixed (or the format extended)."""


def documentos() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@dataclass
class Sentencia:
    doc: str
    linea: int
    texto: str
    palabras: list[str]
    comentario: str


def _separar_comentario(texto: str) -> tuple[str, str]:
    """(code, comment) of a command as the shell reads it: a `#` that starts a word outside quotes opens a
    comment up to the end of its line. ValueError while a quote is still open (the command goes on)."""
    codigo, comentario, comillas, i = [], [], None, 0
    while i < len(texto):
        c = texto[i]
        if comillas is None and c == "#" and (i == 0 or texto[i - 1].isspace()):
            fin = texto.find("\n", i)
            fin = len(texto) if fin < 0 else fin
            comentario.append(texto[i + 1 : fin])
            i = fin
            continue
        if c == "\\" and comillas != "'":
            codigo.append(texto[i : i + 2])
            i += 2
            continue
        if c in "'\"" and comillas in (None, c):
            comillas = None if comillas == c else c
        codigo.append(c)
        i += 1
    if comillas is not None:
        raise ValueError("open quote")
    return "".join(codigo), " ".join(comentario)


def _palabras(texto: str) -> tuple[list[str], str]:
    """Shell words and the trailing comment of one command (quotes removed, `$…` kept for expansion)."""
    codigo, comentario = _separar_comentario(texto)
    lexer = shlex.shlex(codigo, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    return list(lexer), comentario


def sentencias(doc: Path) -> list[Sentencia]:
    """The commands of the ```sh blocks of one markdown file, continuation lines and multi-line quotes
    joined, with the line each starts on."""
    texto = doc.read_text(encoding="utf-8")
    resultado = []
    for bloque in _BLOQUE.finditer(texto):
        primera = texto.count("\n", 0, bloque.start()) + 2
        pendiente, inicio, heredoc = "", primera, None
        for numero, linea in enumerate(bloque.group(1).splitlines(), start=primera):
            if heredoc is not None:  # the body of a here-document is data, not commands
                heredoc = None if linea.strip() == heredoc else heredoc
                continue
            if not pendiente:
                inicio = numero
                if not linea.strip() or linea.lstrip().startswith("#"):
                    continue
            pendiente += linea + "\n"
            if linea.endswith("\\"):
                pendiente = pendiente[:-2] + " "
                continue
            try:
                palabras, comentario = _palabras(pendiente)
            except ValueError:  # an open quote: the command goes on on the next line
                continue
            resultado.append(Sentencia(doc.name, inicio, pendiente.strip(), palabras, comentario))
            if marca := re.search(r"<<-?\s*['\"]?(\w+)", pendiente):
                heredoc = marca.group(1)
            pendiente = ""
        if pendiente:
            raise EjemploInvalido(f"{doc.name}:{inicio}: unterminated command: {pendiente.strip()}")
    return resultado


def curl_fuera_de_bloques(doc: Path) -> list[str]:
    """Lines that show a curl command outside a ```sh block: an example no test would run."""
    texto = _BLOQUE.sub(lambda b: "\n" * b.group(0).count("\n"), doc.read_text(encoding="utf-8"))
    return [
        f"{doc.name}:{n}: {linea.strip()}"
        for n, linea in enumerate(texto.splitlines(), start=1)
        if any(re.match(r"\s*curl\s", codigo) for codigo in re.findall(r"`([^`]+)`", linea))
    ]


@dataclass
class Peticion:
    sentencia: Sentencia
    metodo: str
    url: str
    cabeceras: list[tuple[str, str]]
    cuerpo: str | None
    archivos: list[tuple[str, str]]
    esperado: int | None


@dataclass
class Entorno:
    """What the reader's shell holds after running a doc's lines: variables and functions."""

    base: str  # http://127.0.0.1:<port>, which stands for localhost:8000
    archivos: Path  # the reader's working directory (foto.jpg)
    variables: dict[str, str] = field(default_factory=dict)
    funciones: dict[str, Sentencia] = field(default_factory=dict)

    def copia(self) -> Entorno:
        return Entorno(self.base, self.archivos, dict(self.variables), dict(self.funciones))


def expandir(palabra: str, entorno: Entorno, http: httpx.Client, argumentos: list[str] = ()) -> str:
    def llamada(m: re.Match[str]) -> str:
        nombre, args = m.group(1), m.group(2).split()
        if nombre == "date":
            # The docs' dates are relative to today (`$(date -d 7days +%F)`), so they never expire: run the
            # same GNU date the reader's shell runs.
            return subprocess.run(["date", *args], capture_output=True, text=True, check=True).stdout.strip()
        if nombre not in entorno.funciones:
            raise EjemploInvalido(f"$({nombre} …) calls no function defined in the docs")
        return llamar(entorno.funciones[nombre], [expandir(a, entorno, http) for a in args], entorno, http)

    def variable(m: re.Match[str]) -> str:
        nombre = m.group(1) or m.group(2)
        if nombre.isdigit():
            return argumentos[int(nombre) - 1]
        if nombre not in entorno.variables:
            raise EjemploInvalido(f"${nombre} is not defined by the README or this doc")
        return entorno.variables[nombre]

    return _VARIABLE.sub(variable, _LLAMADA.sub(llamada, palabra))


def peticion(s: Sentencia, palabras: list[str], entorno: Entorno, http, argumentos=()) -> Peticion:
    """A curl command as the request it sends (only the options the docs use are understood)."""
    if not palabras or palabras[0] != "curl":
        raise EjemploInvalido(f"{s.doc}:{s.linea}: not a curl command: {s.texto}")
    metodo, url, cuerpo = None, None, None
    cabeceras: list[tuple[str, str]] = []
    archivos: list[tuple[str, str]] = []
    restantes = iter(palabras[1:])
    for palabra in restantes:
        if re.fullmatch(r"-[sSfi]+", palabra):
            continue
        if palabra in ("-X", "--request"):
            metodo = next(restantes)
        elif palabra in ("-H", "--header"):
            nombre, _, valor = expandir(next(restantes), entorno, http, argumentos).partition(":")
            cabeceras.append((nombre.strip(), valor.strip()))
        elif palabra in ("-d", "--data", "--data-raw"):
            cuerpo = expandir(next(restantes), entorno, http, argumentos)
        elif palabra in ("-F", "--form"):
            campo, _, valor = next(restantes).partition("=@")
            archivos.append((campo, valor))
        elif palabra in ("-o", "--output"):
            next(restantes)  # where the reader keeps the body (a PDF): the status is what is checked
        elif palabra.startswith("-") or url is not None:
            raise EjemploInvalido(f"{s.doc}:{s.linea}: curl option not understood: {palabra!r}")
        else:
            url = expandir(palabra, entorno, http, argumentos)
    if url is None:
        raise EjemploInvalido(f"{s.doc}:{s.linea}: curl without a URL")
    url = re.sub(r"^(https?://)?", "", url)
    if not url.startswith(HOST + "/"):
        raise EjemploInvalido(f"{s.doc}:{s.linea}: the URL is not on {HOST}: {url}")
    if cuerpo is not None and not any(n.lower() == "content-type" for n, _ in cabeceras):
        cabeceras.append(("content-type", "application/x-www-form-urlencoded"))  # what curl sends
    metodo = metodo or ("POST" if cuerpo is not None or archivos else "GET")
    esperado = _ESPERADO.search(s.comentario)
    return Peticion(
        s,
        metodo,
        entorno.base + url[len(HOST) :],
        cabeceras,
        cuerpo,
        archivos,
        int(esperado.group(1)) if esperado else None,
    )


def enviar(p: Peticion, entorno: Entorno, http: httpx.Client) -> httpx.Response:
    archivos = [
        (campo, (Path(ruta).name, (entorno.archivos / ruta).read_bytes(), "image/jpeg"))
        for campo, ruta in p.archivos
    ]
    return http.request(
        p.metodo,
        p.url,
        headers=p.cabeceras,
        content=p.cuerpo.encode() if p.cuerpo is not None else None,
        files=archivos or None,
    )


def llamar(funcion: Sentencia, argumentos: list[str], entorno: Entorno, http: httpx.Client) -> str:
    """Runs a `name() { curl … | python3 -c '…'; }` function: the request, then its Python on the answer."""
    cuerpo = funcion.palabras[3:-2] if funcion.palabras[-2:] == [";", "}"] else funcion.palabras[3:-1]
    if "|" not in cuerpo:
        raise EjemploInvalido(f"{funcion.doc}:{funcion.linea}: a function must be `curl … | python3 -c '…'`")
    tubo = cuerpo.index("|")
    python = cuerpo[tubo + 1 :]
    if python[:2] != ["python3", "-c"] or len(python) != 3:
        raise EjemploInvalido(f"{funcion.doc}:{funcion.linea}: a function must be `curl … | python3 -c '…'`")
    respuesta = enviar(peticion(funcion, cuerpo[:tubo], entorno, http, argumentos), entorno, http)
    hecho = subprocess.run(
        [sys.executable, "-c", python[2]], input=respuesta.text, capture_output=True, text=True, timeout=30
    )
    if hecho.returncode != 0:
        raise AssertionError(
            f"{funcion.doc}:{funcion.linea}: {funcion.palabras[0]} {' '.join(argumentos)} failed "
            f"(HTTP {respuesta.status_code} {respuesta.text[:300]}):\n{hecho.stderr}"
        )
    return hecho.stdout.strip()


def ejecutar(s: Sentencia, entorno: Entorno, http: httpx.Client) -> tuple[Peticion, httpx.Response] | None:
    """Runs one command of a doc: defines a function or a variable, or sends a request. Commands that are
    not HTTP examples (make, docker, .venv/bin/…) are left alone, unless they call curl."""
    palabras = s.palabras
    if len(palabras) >= 3 and palabras[1:3] == ["()", "{"]:
        entorno.funciones[palabras[0]] = s
        return None
    if len(palabras) == 1 and (asignacion := _ASIGNACION.fullmatch(palabras[0])):
        entorno.variables[asignacion.group(1)] = expandir(asignacion.group(2), entorno, http)
        return None
    if palabras and palabras[0] == "curl":
        p = peticion(s, palabras, entorno, http)
        if p.esperado is None:
            raise EjemploInvalido(f"{s.doc}:{s.linea}: no expected status (`# → 200`): {s.texto}")
        return p, enviar(p, entorno, http)
    if "curl" in s.texto:
        raise EjemploInvalido(f"{s.doc}:{s.linea}: a curl example in a form not understood: {s.texto}")
    return None
