"""Memory of the worker's workflow cache, and actions on cached and uncached workflows.

    .venv/bin/python -m bench.memoria                      # 10,000 open pendientes, then the actions
    .venv/bin/python -m bench.memoria --flujos 3000 --hitos 1000,3000   # a shorter run

Two stacks, one after the other, each started as `make run` does (bench/caos/pila.py, with the demo):

  memory    the worker's sticky cache (WORKER_WORKFLOW_CACHE) larger than every workflow of the run;
            `--flujos` AVERIA pendientes opened through the API's creation core (Comandos.crear_pendiente:
            id reserved in Postgres, signed actor, update-with-start; the workflow writes row, detail and
            historial) by 50 concurrent tasks in this process, no HTTP. The worker's RSS is read before and
            at each of `--hitos` open workflows: each open pendiente stays in the cache.
  actions   on both stacks, `--cortos` pendientes in EN_PROGRESO (short histories) and `--largos` grown
            to `--eventos` history events by pausar/continuar; then, one caller, two passes of one action
            on each (round robin, the long ones spread among the short ones), sent straight to Temporal
            (Comandos.ejecutar, no HTTP: the figure is the engine's). On the first stack every workflow is
            cached; the second runs with a cache of `--cache-pequena` entries, smaller than the rotation, so
            every action finds its workflow evicted and replays its whole history first.

Prints two markdown tables: memory (RSS, MiB per 1,000 cached workflows) and actions (p50 latency and the
worker's and Temporal's CPU per action, cached vs evicted). Figures, not assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from api.pendientes.comandos import Comandos
from bench.caos.pila import Pila
from bench.procesos import cpu_segundos, rss_mib
from contrato.mensajes import ActorMsg, ConfigFlujo, DatosPendiente, OrdenAccion
from db.engine import make_engine, make_session_factory
from domain.acciones import Accion
from domain.enums import LugarPendiente, PrioridadPendiente, TipoPendiente
from domain.errores import NoDisponible
from infra.temporal import workflow_id
from ops.demo import personas_demo

CONCURRENCIA_ALTAS = 50


@dataclass(frozen=True)
class Pasada:
    """One kind of action (short or long history) over a pass: latencies and CPU per action."""

    eventos: float
    latencias: list[float]
    cpu_worker_ms: float
    cpu_temporal_ms: float

    @property
    def p50(self) -> float:
        return statistics.median(self.latencias)


class Banco:
    def __init__(self, pila: Pila, temporal: Client, sessions) -> None:
        self.pila, self.temporal, self.sessions = pila, temporal, sessions
        self.comandos = Comandos(temporal, sessions, "pendientes", timedelta(seconds=120))
        self.siguiente: dict[int, Accion] = {}
        self.corrida = uuid.uuid4().hex[:8]
        self.reintentos = 0

    async def preparar(self) -> None:
        personas = await personas_demo(self.sessions)
        self.coord = personas.actores["coordinadora"]
        self.tecnico = personas.tecnicos[0]

    def _datos(self, n: int, registrador: ActorMsg) -> DatosPendiente:
        return DatosPendiente(
            cliente_id=1 + n % 7,
            registrado_por=registrador.empleado_id,
            tipo=TipoPendiente.AVERIA,
            lugar=LugarPendiente.PUNO,
            prioridad=PrioridadPendiente.MEDIA,
            fecha_pendiente=(datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0),
            detalle={"descripcion_falla": f"bench memoria ({n})"},
        )

    async def abiertos(self) -> int:
        return (await self.temporal.count_workflows('ExecutionStatus="Running"')).count

    async def abrir(self, total: int, hitos: list[int], avisar) -> list[tuple[int, float, float]]:
        """Open `total` pendientes; at each hito, (open by the bench, worker RSS MiB, seconds so far)."""
        hechos = 0
        medidas: list[tuple[int, float, float]] = []
        inicio = time.perf_counter()
        for hito in hitos:
            cola = list(range(hechos, hito))

            async def tarea(cola: list[int] = cola) -> None:
                while cola:
                    await self.crear(cola.pop())

            await asyncio.gather(*(tarea() for _ in range(CONCURRENCIA_ALTAS)))
            hechos = hito
            await asyncio.sleep(2)  # the last workflow tasks settle
            segundos = time.perf_counter() - inicio
            medidas.append((hito, rss_mib(self.pila.pid("worker")), segundos))
            avisar(
                f"  {hito} open ({hito / segundos:.1f}/s), worker RSS {medidas[-1][1]:.0f} MiB, "
                f"{self.reintentos} creates retried after an engine timeout"
            )
        return medidas

    async def crear(self, n: int) -> int:
        """One pendiente, the product's way: an engine that does not answer in time is asked again with the
        same key (what the API tells its callers to do), and the retry is counted."""
        for intento in range(5):
            try:
                return await self.comandos.crear_pendiente(
                    self._datos(n, self.coord), self.coord, clave=f"memoria-{self.corrida}-{n}"
                )
            except NoDisponible:
                self.reintentos += 1
                if intento == 4:
                    raise
        raise AssertionError("unreachable")

    async def en_progreso(self, cuantos: int) -> list[int]:
        """`cuantos` AVERIA assigned to the technician and started: ready for pausar/continuar."""
        limite = asyncio.Semaphore(20)

        async def uno(n: int) -> int:
            async with limite:
                pid = await self.crear(10**6 + n)
                orden = OrdenAccion(actor=self.coord, tecnico_id=self.tecnico.empleado_id)
                await self.comandos.ejecutar(pid, Accion.ASIGNAR, orden)
                await self.comandos.ejecutar(pid, Accion.COMENZAR, OrdenAccion(actor=self.tecnico))
                self.siguiente[pid] = Accion.PAUSAR
                return pid

        return list(await asyncio.gather(*(uno(n) for n in range(cuantos))))

    async def accionar(self, pendiente_id: int) -> None:
        accion = self.siguiente[pendiente_id]
        orden = OrdenAccion(actor=self.tecnico, motivo="bench" if accion is Accion.PAUSAR else None)
        await self.comandos.ejecutar(pendiente_id, accion, orden)
        self.siguiente[pendiente_id] = Accion.CONTINUAR if accion is Accion.PAUSAR else Accion.PAUSAR

    async def eventos(self, pendiente_id: int) -> int:
        return (await self.temporal.get_workflow_handle(workflow_id(pendiente_id)).describe()).history_length

    async def alargar(self, ids: list[int], eventos: int) -> None:
        async def uno(pid: int) -> None:
            while await self.eventos(pid) < eventos:
                for _ in range(10):
                    await self.accionar(pid)

        await asyncio.gather(*(uno(pid) for pid in ids))

    async def pasadas(self, cortos: list[int], largos: list[int], veces: int = 2) -> dict[str, Pasada]:
        """Round robin, one caller: each pendiente gets one action per pass."""
        orden = list(cortos)
        paso = max(1, len(cortos) // max(1, len(largos)))
        for i, pid in enumerate(largos):
            orden.insert(min(len(orden), i * (paso + 1) + paso // 2), pid)
        historia = {
            c: statistics.mean([await self.eventos(pid) for pid in ids])
            for c, ids in (("short", cortos), ("long", largos))
        }
        worker, temporal = self.pila.pid("worker"), self.pila.pid("temporal")
        datos = {"short": ([], [0.0, 0.0]), "long": ([], [0.0, 0.0])}
        for _ in range(veces):
            for pid in orden:
                latencias, cpu = datos["long" if pid in largos else "short"]
                w0, t0 = cpu_segundos(worker), cpu_segundos(temporal)
                inicio = time.perf_counter()
                await self.accionar(pid)
                latencias.append((time.perf_counter() - inicio) * 1000)
                cpu[0] += cpu_segundos(worker) - w0
                cpu[1] += cpu_segundos(temporal) - t0
        resultado = {}
        for clase in ("short", "long"):
            latencias, cpu = datos[clase]
            n = len(latencias)
            resultado[clase] = Pasada(historia[clase], latencias, cpu[0] * 1000 / n, cpu[1] * 1000 / n)
        return resultado


@contextmanager
def pila(cache: int, logs: Path | None = None) -> Iterator[Pila]:
    with tempfile.TemporaryDirectory(prefix="pendientes-bench-memoria-") as directorio:
        p = Pila(Path(directorio), demo=True, espera_update=60, entorno={"WORKER_WORKFLOW_CACHE": str(cache)})
        try:
            p.arrancar()
            yield p
        finally:
            p.detener()
            if logs is not None:  # the supervisor's and the dev server's logs outlive the run
                destino = logs / f"cache-{cache}"
                destino.mkdir(parents=True, exist_ok=True)
                for nombre in ("supervisor.log", "datos/temporal.log"):
                    if (p.directorio / nombre).exists():
                        shutil.copy(p.directorio / nombre, destino / Path(nombre).name)


async def _con_banco(p: Pila, trabajo):
    engine = make_engine(p.database_url(), pool_size=20)
    temporal = await Client.connect(p.temporal, data_converter=pydantic_data_converter)
    try:
        banco = Banco(p, temporal, make_session_factory(engine))
        await banco.preparar()
        return await trabajo(banco)
    finally:
        await engine.dispose()


async def _acciones(banco: Banco, args: argparse.Namespace, avisar) -> dict[str, Pasada]:
    avisar(f"  {args.cortos} pendientes in EN_PROGRESO, {args.largos} grown to {args.eventos} events ...")
    ids = await banco.en_progreso(args.cortos + args.largos)
    cortos, largos = ids[: args.cortos], ids[args.cortos :]
    await banco.alargar(largos, args.eventos)
    avisar("  two passes of actions, one caller ...")
    return await banco.pasadas(cortos, largos)


def medir_memoria(args: argparse.Namespace, avisar) -> tuple[list[str], dict[str, Pasada]]:
    hitos = sorted({h for h in args.hitos if h <= args.flujos} | {args.flujos})
    cache = args.flujos + args.cortos + args.largos + 2000  # every workflow of the run stays cached
    avisar(f"stack 1: worker cache {cache}; opening {args.flujos} pendientes ...")
    with pila(cache, args.logs) as p:

        async def trabajo(banco: Banco):
            await asyncio.sleep(3)  # the demo's workflow tasks settle
            antes = await banco.abiertos()
            rss0 = rss_mib(p.pid("worker"))
            medidas = await banco.abrir(args.flujos, hitos, avisar)
            abiertos = await banco.abiertos()
            pasadas = await _acciones(banco, args, avisar)
            return antes, rss0, medidas, abiertos, banco.reintentos, pasadas

        antes, rss0, medidas, abiertos, reintentos, pasadas = asyncio.run(_con_banco(p, trabajo))
    filas = [
        "| open workflows (cached) | worker RSS MiB | MiB per 1,000 since the previous row |",
        "|---|---|---|",
    ]
    filas.append(f"| {antes} (the demo's, after start-up) | {rss0:.0f} | — |")
    previo_n, previo_rss = 0, rss0
    for hito, rss, segundos in medidas:
        por_mil = (rss - previo_rss) / (hito - previo_n) * 1000
        filas.append(f"| {antes + hito} ({hito} opened in {segundos:.0f} s) | {rss:.0f} | {por_mil:.0f} |")
        previo_n, previo_rss = hito, rss
    total = (medidas[-1][1] - rss0) / medidas[-1][0] * 1024
    filas.append(f"| per cached workflow, whole run | | {total:.0f} KiB |")
    filas.append(f"| still running at the end (Temporal's count) | {abiertos} | |")
    filas.append(f"| creates asked again after the engine's 120 s timeout (same key) | {reintentos} | |")
    return filas, pasadas


def medir_desalojo(args: argparse.Namespace, avisar) -> dict[str, Pasada]:
    avisar(f"stack 2: worker cache {args.cache_pequena} (every action evicted) ...")
    with pila(args.cache_pequena, args.logs) as p:
        return asyncio.run(_con_banco(p, lambda banco: _acciones(banco, args, avisar)))


def tabla_acciones(cache: dict[str, Pasada], desalojo: dict[str, Pasada]) -> list[str]:
    filas = [
        "| figure | cached (large cache) | evicted (small cache) | evicted / cached |",
        "|---|---|---|---|",
    ]
    for clase in ("short", "long"):
        c, d = cache[clase], desalojo[clase]
        nombre = f"{clase} history ({c.eventos:.0f} / {d.eventos:.0f} events before)"
        filas.append(f"| {nombre}: p50 ms | {c.p50:.1f} | {d.p50:.1f} | {d.p50 / c.p50:.1f} |")
        filas.append(
            f"| {nombre}: worker CPU ms per action | {c.cpu_worker_ms:.1f} | {d.cpu_worker_ms:.1f} "
            f"| {d.cpu_worker_ms / max(c.cpu_worker_ms, 0.1):.1f} |"
        )
        filas.append(
            f"| {nombre}: Temporal CPU ms per action | {c.cpu_temporal_ms:.1f} | {d.cpu_temporal_ms:.1f} "
            f"| {d.cpu_temporal_ms / max(c.cpu_temporal_ms, 0.1):.1f} |"
        )
        filas.append(
            f"| {nombre}: actions/s, one caller | {1000 / c.p50:.1f} | {1000 / d.p50:.1f} "
            f"| {c.p50 / d.p50:.2f} |"
        )
    return filas


def main(args: argparse.Namespace) -> None:
    avisar = lambda t: print(t, flush=True)  # noqa: E731
    memoria, cache = medir_memoria(args, avisar)
    desalojo = medir_desalojo(args, avisar)
    print("\n" + "\n".join(memoria) + "\n\n" + "\n".join(tabla_acciones(cache, desalojo)))


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--flujos", type=int, default=10_000, help="pendientes opened on the large cache")
    p.add_argument("--hitos", type=lambda s: [int(x) for x in s.split(",")], default=[1000, 5000, 10_000])
    p.add_argument("--cortos", type=int, default=200, help="short-history pendientes in the rotation")
    p.add_argument("--largos", type=int, default=5, help="long-history pendientes in the rotation")
    # A history continues as new at this length: the long ones must stay under it, or never get there.
    limite = ConfigFlujo().limite_historia
    p.add_argument(
        "--eventos", type=int, default=limite - 40, help=f"history length of the long ones (< {limite})"
    )
    p.add_argument("--cache-pequena", type=int, default=50, help="the small cache (< cortos + largos)")
    p.add_argument("--logs", type=Path, help="copy the stacks' logs into this directory")
    argumentos = p.parse_args()
    if argumentos.eventos >= limite:
        p.error(f"--eventos must be under {limite}: a history continues as new at that length")
    main(argumentos)
