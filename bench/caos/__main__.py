"""`python -m bench.caos`: the full chaos run (see the package docstring)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.caos import __doc__ as DOC
from bench.caos.ronda import FALLOS, Config, ejecutar, pormenores, tabla


def _config(argv: list[str] | None) -> Config:
    p = argparse.ArgumentParser(
        prog="python -m bench.caos", description=DOC, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--operaciones", type=int, default=910, help="operations per client kind and round")
    p.add_argument("--llamadores", type=int, default=30, help="concurrent callers per client kind")
    p.add_argument("--pendientes", type=int, default=65, help="fresh pendientes per client kind and round")
    p.add_argument("--fallos", nargs="+", choices=FALLOS, default=list(FALLOS), help="one round each")
    p.add_argument("--fraccion", type=float, default=0.3, help="share of operations done before the kill")
    p.add_argument("--plazo", type=float, default=300, help="seconds after which a round starts no new op")
    p.add_argument("--semilla", type=int, default=9, help="random seed of the callers' choices")
    p.add_argument("--espera-update", type=float, default=10, help="UPDATE_TIMEOUT_SECONDS of the stack")
    p.add_argument("--sin-reparar", action="store_true", help="do not run the reconciler's repair")
    p.add_argument("--directorio", type=Path, help="data directory to use and keep (default: temporary)")
    a = p.parse_args(argv)
    if a.operaciones < 1 or a.llamadores < 1 or a.pendientes < 1 or not 0 <= a.fraccion < 1:
        p.error("operaciones, llamadores and pendientes must be positive; fraccion in [0, 1)")
    return Config(
        operaciones=a.operaciones,
        llamadores=a.llamadores,
        pendientes=a.pendientes,
        fallos=tuple(a.fallos),
        fraccion=a.fraccion,
        plazo_ronda=a.plazo,
        semilla=a.semilla,
        espera_update=a.espera_update,
        reparar=not a.sin_reparar,
        directorio=a.directorio,
    )


def main(argv: list[str] | None = None) -> int:
    config = _config(argv)
    resultado = ejecutar(config, avisar=lambda texto: print(texto, flush=True))
    print()
    print(tabla(resultado.filas))
    if detalles := pormenores(resultado.filas):
        print("\n" + detalles)
    print(f"\n{resultado.segundos:.0f}s in all", end="")
    print(f"; had to kill by force: {', '.join(resultado.restos)}" if resultado.restos else "")
    return 0 if all(f.limpia for f in resultado.filas) and not resultado.restos else 1


if __name__ == "__main__":
    sys.exit(main())
