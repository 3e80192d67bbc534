"""`python -m bench`: every benchmark that reports rows, in one run, as one markdown table.

Actions and creates against the minimal baseline (bench/acciones.py, on a stack of its own), then the
reads (bench/lecturas.py) when that module offers `filas(args) -> list of (figure, product, baseline,
ratio)`. Options are those of bench/acciones.py; `--sin-lecturas` skips the reads.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform

from bench import acciones


def _maquina() -> str:
    modelo = ""
    try:
        with open("/proc/cpuinfo") as f:
            modelo = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    except OSError:
        pass
    sistema = f"{platform.system()} {platform.release()}"
    return f"{os.cpu_count()} cores {modelo}, {sistema}, Python {platform.python_version()}"


def _lecturas(args: argparse.Namespace) -> list[acciones.Fila]:
    try:
        from bench import lecturas
    except ImportError:
        return []
    filas = getattr(lecturas, "filas", None)
    if not callable(filas):
        return []
    return [acciones.Fila(*f) if not isinstance(f, acciones.Fila) else f for f in filas(args)]


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    acciones.argumentos(p)
    p.add_argument("--sin-lecturas", action="store_true", help="skip the reads")
    args = p.parse_args()
    with acciones.pila_con_base() as pila:
        filas = asyncio.run(acciones.correr(pila, args, lambda t: print(t, flush=True)))
    if not args.sin_lecturas:
        filas += _lecturas(args)
    print(f"\nmachine: {_maquina()}\n")
    print(acciones.tabla(filas))


if __name__ == "__main__":
    main()
