"""Run the hand-made mutants of `mutantes.py` against the suite (README.md, "Mutation run").

    .venv/bin/python -m tests.mutacion [--solo NOMBRE ...] [--completo] [--informe PATH] [--tiempo S]
    .venv/bin/python -m tests.mutacion --verificar   # every snippet still occurs exactly once (no pytest)
    .venv/bin/python -m tests.mutacion --contar      # table cases vs other tests in the whole suite
    .venv/bin/python -m tests.mutacion --listar

Each mutant runs in its own throw-away copy of the tree, so the checkout (and whoever else is running
tests in it) never sees a mutated file. Killed = pytest exit code 1 with a failing test; exit 0 =
survived; anything else (an import error, a fixture error, a collection error, a timeout) is reported as
such and never counted as a kill. Exit code: 0 when every mutant named in issue 8 is killed and no
mutant is stale, else 1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.mutacion.mutantes import MUTANTES, Mutante

RAIZ = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
INFORME = RAIZ / ".data" / "mutacion.md"
# Never copied: the venv (the copy runs with this interpreter), git, local data and caches.
EXCLUIDOS_EN_LA_RAIZ = {".venv", ".git", ".data", ".hypothesis", ".schemathesis", "uploads"}
EXCLUIDOS = ("__pycache__", ".pytest_cache", ".ruff_cache", "*.egg-info")
# The whole suite minus the unit tests of the tables (which kill almost everything and prove nothing
# about the behaviour a user sees) and this folder.
SUITE_COMPLETA = ("tests", "--ignore=tests/domain", "--ignore=tests/mutacion")
JUNIT = ".mutacion-junit.xml"
SALIDA = ".mutacion-salida.txt"
LINEAS_DE_COLA = 40

KILLED, SURVIVED, ERROR, TIMEOUT, STALE = "killed", "survived", "error", "timeout", "stale"


@dataclass
class Corrida:
    """One pytest run: its exit code (None on timeout), the first failing / erroring node, output tail."""

    codigo: int | None
    fallo: str | None
    errores: str | None
    cola: str


@dataclass
class Resultado:
    mutante: Mutante
    resultado: str
    muerto_por: str = ""
    segundos: float = 0.0
    nota: str = ""


# --- the list itself ----------------------------------------------------------------------------------


def problema(m: Mutante, raiz: Path = RAIZ) -> str | None:
    """Why the mutant cannot be applied as written (a stale mutant), or None."""
    ruta = raiz / m.archivo
    if not ruta.is_file():
        return f"stale mutant: {m.archivo} does not exist"
    texto = ruta.read_text()
    veces = texto.count(m.original)
    if veces != 1:
        return f"stale mutant: its original occurs {veces} times in {m.archivo} (must be exactly 1)"
    if m.original == m.reemplazo:
        return "the replacement equals the original"
    try:
        compile(m.aplicar(texto), str(ruta), "exec")
    except SyntaxError as error:
        return f"the mutated file does not compile: {error}"
    return None


def objetivos_ausentes(m: Mutante, raiz: Path = RAIZ) -> list[str]:
    rutas = (o.split("::")[0] for o in m.objetivo if not o.startswith("-"))
    return [r for r in rutas if not (raiz / r).exists()]


def verificar() -> int:
    nombres = [m.nombre for m in MUTANTES]
    problemas = [f"duplicate name: {n}" for n in sorted({n for n in nombres if nombres.count(n) > 1})]
    for m in MUTANTES:
        if motivo := problema(m):
            problemas.append(f"{m.nombre}: {motivo}")
        if ausentes := objetivos_ausentes(m):
            problemas.append(f"{m.nombre}: objetivo not found: {', '.join(ausentes)}")
    for p in problemas:
        print(p)
    nombrados = sum(m.issue for m in MUTANTES)
    print(f"{len(MUTANTES)} mutants ({nombrados} named in issue 8), {len(problemas)} problem(s)")
    return 1 if problemas else 0


# --- one pytest run in a copy -------------------------------------------------------------------------


def _ignorados(directorio: str, nombres: list[str]) -> set[str]:
    ignorados = set(shutil.ignore_patterns(*EXCLUIDOS)(directorio, nombres))
    if Path(directorio) == RAIZ:
        ignorados |= EXCLUIDOS_EN_LA_RAIZ.intersection(nombres)
    return ignorados


def copiar(destino: Path) -> None:
    shutil.copytree(RAIZ, destino, symlinks=True, ignore=_ignorados, dirs_exist_ok=True)


def entorno(copia: Path) -> dict[str, str]:
    env = dict(os.environ)
    # The venv's editable install points at the checkout; PYTHONPATH puts the copy first.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(copia), os.environ.get("PYTHONPATH")]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def asegurar_que_importa_la_copia(copia: Path) -> None:
    """Without this, a run could test the unmutated checkout and call every mutant a survivor."""
    codigo = "import worker, domain, tests\nfor m in (worker, domain, tests):\n    print(m.__file__)"
    salida = subprocess.run(
        [PYTHON, "-c", codigo], cwd=copia, env=entorno(copia), capture_output=True, text=True, check=True
    ).stdout.split()
    fuera = [ruta for ruta in salida if not Path(ruta).resolve().is_relative_to(copia.resolve())]
    if fuera:
        raise SystemExit(f"PYTHONPATH does not win over the editable install: {fuera} not under {copia}")


def nodo(caso: ET.Element) -> str:
    """The pytest node id of a junit (xunit1) testcase."""
    archivo, clase, nombre = caso.get("file"), caso.get("classname", ""), caso.get("name", "")
    if not archivo:
        return f"{clase}::{nombre}" if clase else nombre
    modulo = archivo.removesuffix(".py").replace("/", ".")
    clases = clase[len(modulo) + 1 :].split(".") if clase.startswith(modulo + ".") else []
    return "::".join([archivo, *filter(None, clases), nombre])


def primeros_fallos(junit: Path) -> tuple[str | None, str | None]:
    """(first failed test, first setup/teardown/collection error) in the junit report."""
    if not junit.is_file():
        return None, None
    fallo = error = None
    for caso in ET.parse(junit).getroot().iter("testcase"):
        if fallo is None and caso.find("failure") is not None:
            fallo = nodo(caso)
        if error is None and caso.find("error") is not None:
            error = nodo(caso)
    return fallo, error


def detener(proceso: subprocess.Popen) -> None:
    """SIGINT lets pytest run its finalizers (Temporal, Postgres); if that hangs, kill its group by id."""
    proceso.send_signal(signal.SIGINT)
    try:
        proceso.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proceso.pid, signal.SIGKILL)
        proceso.wait()


def esperar(proceso: subprocess.Popen, tiempo: float) -> int | None:
    """The exit code, or None on timeout. pytest runs in its own session (Ctrl-C does not reach it),
    so it is stopped here on a timeout and when the runner itself is interrupted."""
    try:
        return proceso.wait(timeout=tiempo)
    except subprocess.TimeoutExpired:
        detener(proceso)
        return None
    except BaseException:
        detener(proceso)
        raise


def correr_pytest(copia: Path, rutas: Sequence[str], tiempo: float) -> Corrida:
    junit, salida = copia / JUNIT, copia / SALIDA
    junit.unlink(missing_ok=True)
    orden = [PYTHON, "-m", "pytest", *rutas, "-x", "-q", "-p", "no:cacheprovider"]
    orden += [f"--junitxml={junit}", "-o", "junit_family=xunit1", f"--basetemp={copia / '.pytest-tmp'}"]
    with salida.open("w") as archivo:
        proceso = subprocess.Popen(
            orden,
            cwd=copia,
            env=entorno(copia),
            stdout=archivo,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        codigo = esperar(proceso, tiempo)
    fallo, error = primeros_fallos(junit)
    cola = "\n".join(salida.read_text(errors="replace").splitlines()[-LINEAS_DE_COLA:])
    return Corrida(codigo, fallo, error, cola)


def clasificar(corrida: Corrida) -> tuple[str, str]:
    """(result, node) of a run. Only a failing test is a kill; an error proves nothing about the rule."""
    if corrida.codigo is None:
        return TIMEOUT, corrida.fallo or corrida.errores or ""
    if corrida.codigo == 0:
        return SURVIVED, ""
    if corrida.codigo == 1 and corrida.fallo:
        return KILLED, corrida.fallo
    return ERROR, corrida.errores or corrida.fallo or f"pytest exit code {corrida.codigo}"


# --- a mutant -----------------------------------------------------------------------------------------


def probar(m: Mutante, completo: bool, tiempo: float) -> Resultado:
    inicio = time.monotonic()
    copia = Path(tempfile.mkdtemp(prefix=f"mutacion-{m.nombre}-"))
    try:
        copiar(copia)
        # Checked on the copy: that is the text the mutant is applied to.
        if motivo := problema(m, copia):
            return Resultado(m, STALE, nota=motivo, segundos=time.monotonic() - inicio)
        asegurar_que_importa_la_copia(copia)
        ruta = copia / m.archivo
        ruta.write_text(m.aplicar(ruta.read_text()))
        resultado = _correr(m, copia, completo, tiempo)
    finally:
        shutil.rmtree(copia, ignore_errors=True)
    resultado.segundos = time.monotonic() - inicio
    return resultado


def _correr(m: Mutante, copia: Path, completo: bool, tiempo: float) -> Resultado:
    corrida = correr_pytest(copia, m.objetivo, tiempo)
    resultado, muerto_por = clasificar(corrida)
    nota = corrida.cola if resultado in (ERROR, TIMEOUT) else ""
    if resultado == SURVIVED and completo:
        amplia = correr_pytest(copia, SUITE_COMPLETA, max(tiempo, 2400))
        otro, nodo_amplio = clasificar(amplia)
        if otro == KILLED:
            return Resultado(m, KILLED, nodo_amplio, nota="killed only by the whole suite, not its objetivo")
        vivo = otro == SURVIVED
        nota = "survived the whole suite too" if vivo else f"whole suite: {otro}\n{amplia.cola}"
    return Resultado(m, resultado, muerto_por, nota=nota)


# --- the report ---------------------------------------------------------------------------------------


def _celda(texto: str) -> str:
    return texto.replace("|", "\\|").replace("\n", " ")


def informe(resultados: Sequence[Resultado]) -> str:
    lineas = [
        "# Mutation run",
        "",
        "★ = named in issue 8 (the run fails unless each of these is killed).",
        "",
        "| mutant | file | rule | result | killed by | s |",
        "|---|---|---|---|---|---|",
    ]
    for r in resultados:
        nombre = ("★ " if r.mutante.issue else "") + r.mutante.nombre
        celdas = (nombre, r.mutante.archivo, r.mutante.regla, r.resultado, r.muerto_por, f"{r.segundos:.0f}")
        lineas.append("| " + " | ".join(_celda(c) for c in celdas) + " |")
    veredictos = (KILLED, SURVIVED, ERROR, TIMEOUT, STALE)
    cuentas = ", ".join(f"{sum(r.resultado == v for r in resultados)} {v}" for v in veredictos)
    lineas += ["", f"Totals: {cuentas} of {len(resultados)}."]
    lineas += _seccion("Survivors", [r for r in resultados if r.resultado == SURVIVED])
    sin_veredicto = [r for r in resultados if r.resultado in (ERROR, TIMEOUT, STALE)]
    lineas += _seccion("Not run to a verdict (not kills)", sin_veredicto)
    fuera = [r for r in resultados if r.resultado == KILLED and r.nota]
    lineas += _seccion("Killed only by the whole suite (its objetivo misses it)", fuera)
    return "\n".join(lineas) + "\n"


def _seccion(titulo: str, resultados: Sequence[Resultado]) -> list[str]:
    if not resultados:
        return []
    lineas = ["", f"## {titulo}", ""]
    for r in resultados:
        estrella = "★ " if r.mutante.issue else ""
        lineas.append(f"- {estrella}`{r.mutante.nombre}` ({r.mutante.archivo}): {r.mutante.regla}.")
        lineas.append(f"  objetivo: `{' '.join(r.mutante.objetivo)}`")
        nota = r.nota.splitlines()
        if len(nota) == 1:
            lineas.append(f"  {nota[0]}")
        elif nota:
            lineas += ["", "  ```", *(f"  {linea}" for linea in nota), "  ```"]
    return lineas


def fracaso(resultados: Sequence[Resultado]) -> bool:
    nombrado_vivo = any(r.mutante.issue and r.resultado != KILLED for r in resultados)
    return nombrado_vivo or any(r.resultado == STALE for r in resultados)


# --- counting table cases -----------------------------------------------------------------------------


def contar() -> int:
    """Collected tests that are table cases (parametrized: the node id has `[`) and those that are not."""
    salida = subprocess.run(
        [PYTHON, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=RAIZ,
        capture_output=True,
        text=True,
    )
    if salida.returncode != 0:
        print(salida.stdout[-3000:], salida.stderr[-3000:], sep="\n")
        return 1
    nodos = [linea for linea in salida.stdout.splitlines() if "::" in linea]
    tabla = sum("[" in n for n in nodos)
    print(f"table cases (parametrized): {tabla}")
    print(f"other tests: {len(nodos) - tabla}")
    print(f"total: {len(nodos)} ({salida.stdout.strip().splitlines()[-1]})")
    return 0


# --- command line -------------------------------------------------------------------------------------


def elegir(solo: Sequence[str] | None) -> list[Mutante]:
    if not solo:
        return list(MUTANTES)
    por_nombre = {m.nombre: m for m in MUTANTES}
    desconocidos = [n for n in solo if n not in por_nombre]
    if desconocidos:
        raise SystemExit(f"unknown mutant(s): {', '.join(desconocidos)}; see --listar")
    return [por_nombre[n] for n in solo]


def listar() -> int:
    for m in MUTANTES:
        print(f"{'★' if m.issue else ' '} {m.nombre:36} {m.archivo:40} {' '.join(m.objetivo)}")
    return 0


def correr(mutantes: Sequence[Mutante], completo: bool, tiempo: float, ruta_informe: Path) -> int:
    resultados = []
    for i, m in enumerate(mutantes, 1):
        r = probar(m, completo, tiempo)
        resultados.append(r)
        print(
            f"[{i}/{len(mutantes)}] {m.nombre}: {r.resultado} {r.muerto_por} ({r.segundos:.0f} s)", flush=True
        )
    texto = informe(resultados)
    print(texto)
    ruta_informe.parent.mkdir(parents=True, exist_ok=True)
    ruta_informe.write_text(texto)
    print(f"report written to {ruta_informe}")
    return 1 if fracaso(resultados) else 0


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.mutacion", description=__doc__.splitlines()[0])
    p.add_argument("--solo", nargs="+", metavar="NOMBRE", help="run only these mutants")
    p.add_argument("--completo", action="store_true", help="rerun survivors against the whole suite")
    p.add_argument("--informe", type=Path, default=INFORME, help=f"report path (default {INFORME})")
    p.add_argument("--tiempo", type=float, default=900, help="seconds per pytest run before a timeout")
    p.add_argument("--verificar", action="store_true", help="check every snippet occurs exactly once")
    p.add_argument("--contar", action="store_true", help="count table cases and other tests")
    p.add_argument("--listar", action="store_true", help="list the mutants")
    args = p.parse_args(argv)
    if args.verificar:
        return verificar()
    if args.contar:
        return contar()
    if args.listar:
        return listar()
    return correr(elegir(args.solo), args.completo, args.tiempo, args.informe)


if __name__ == "__main__":
    sys.exit(main())
