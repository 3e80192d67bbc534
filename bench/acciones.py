"""Actions and creates of the product against the minimal baseline, on one stack, in one run.

    .venv/bin/python -m bench            # this and the other benchmarks that return rows (bench/__main__.py)
    .venv/bin/python -m bench.acciones   # only this one

It starts the product as `make run` does (bench/caos/pila.py: `python -m ops.run` with the demo, in a
temporary directory, on free ports) and the baseline worker (bench/base.py: an Update that runs one local
activity doing one INSERT) on the same Temporal dev server and Postgres, then measures:

  action    pausar / continuar toggles by the assigned technician at 1, 10 and 50 concurrent callers
            (each caller on its own pendiente): `POST /api/pendientes/{id}/acciones/{accion}` (HTTP:
            token check, user reload, signed Update, row + historial + event in one transaction, answer)
            and the same Update sent straight to Temporal (`motor`: the engine path alone), against the
            baseline's Update at the same concurrency.
  create    2,000 AVERIA through `POST /api/pendientes`, 20 clients, each with an Idempotency-Key,
            against 2,000 raw `start_workflow` of the baseline (whose run starts with its INSERT).
  check     every created row with its detail, its `crear` historial row and its workflow; and the count
            of pendientes whose search attributes (Estado, EstadoTecnico, AsignadoA, Vencido) differ
            from Postgres once the run is quiet.

Prints a markdown table (figure, product, baseline, ratio). Figures, not assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from bench import base
from bench.caos.pila import Pila
from contrato import nombres
from contrato.mensajes import OrdenAccion
from db import models as m
from db.engine import make_engine, make_session_factory
from ops.demo import PASSWORD_DEMO, personas_demo
from workflows import busqueda

COORDINADORA, TECNICO = "10000002", "10000006"
LLAMADORES = (1, 10, 50)
Accionar = Callable[[int, str], Awaitable[None]]


@dataclass(frozen=True)
class Fila:
    """One line of the table: a figure of the product, the baseline's, and product / baseline (for a
    time, baseline / product: above 1 always means the product does better)."""

    figura: str
    producto: str
    base: str
    razon: float | None

    def markdown(self) -> str:
        razon = f"{self.razon:.2f}" if self.razon is not None else "—"
        return f"| {self.figura} | {self.producto} | {self.base} | {razon} |"


def tabla(filas: list[Fila]) -> str:
    cabecera = ["| figure | product | baseline | ratio |", "|---|---|---|---|"]
    return "\n".join(cabecera + [f.markdown() for f in filas])


def _p(latencias: list[float], q: int) -> float:
    return statistics.quantiles(latencias, n=100, method="inclusive")[q - 1]


@dataclass(frozen=True)
class Medida:
    por_segundo: float
    p50: float
    p99: float
    fallos: int
    cuantas: int = 0


TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_ms(pid: int) -> float:
    """CPU (user + system) a process has used, in ms; 0 once it is gone."""
    try:
        campos = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(campos[11]) + int(campos[12])) * 1000 / TICKS


def _hijos(padre: int) -> list[int]:
    """The direct children of `padre` (Postgres's backends are the postmaster's)."""
    hijos = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                estado = (proc / "status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{padre}\n" in estado:
                hijos.append(int(proc.name))
    return hijos


def _pid_de(texto: str) -> int | None:
    """The process whose command line holds `texto` (the baseline worker names the stack's Temporal)."""
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                linea = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if texto in linea and "bench.base" in linea:
                return int(proc.name)
    return None


class Cpu:
    """CPU used by each part of the stack between two readings: every process by name, Postgres with
    its backends (they come and go: each is read at both ends, a new one counts from zero)."""

    def __init__(self, partes: dict[str, int | None], postmaster: int) -> None:
        self._partes = {nombre: pid for nombre, pid in partes.items() if pid is not None}
        self._postmaster = postmaster

    def _leer(self) -> dict[str, dict[int, float]]:
        lectura = {nombre: {pid: _cpu_ms(pid)} for nombre, pid in self._partes.items()}
        postgres = [self._postmaster, *_hijos(self._postmaster)]
        lectura["postgres"] = {pid: _cpu_ms(pid) for pid in postgres}
        return lectura

    def empezar(self) -> None:
        self._antes = self._leer()

    def gastado(self) -> dict[str, float]:
        despues = self._leer()
        gasto = {}
        for nombre, pids in despues.items():
            antes = self._antes.get(nombre, {})
            gasto[nombre] = sum(ms - antes.get(pid, 0.0) for pid, ms in pids.items())
        return gasto


async def _serie(accionar: Accionar, objetivo: int, veces: int, latencias: list[float]) -> int:
    fallos = 0
    for i in range(veces):
        inicio = time.perf_counter()
        try:
            await accionar(objetivo, "pausar" if i % 2 == 0 else "continuar")
        except Exception:  # noqa: BLE001 - a failure is a figure of the run, not its end
            fallos += 1
        latencias.append((time.perf_counter() - inicio) * 1000)
    return fallos


async def medir(accionar: Accionar, objetivos: list[int], total: int) -> Medida:
    """`len(objetivos)` concurrent callers, each toggling its own target, `total` actions in all."""
    veces = max(2, total // len(objetivos)) // 2 * 2  # even: every target ends as it started
    latencias: list[float] = []
    inicio = time.perf_counter()
    fallos = await asyncio.gather(*(_serie(accionar, o, veces, latencias) for o in objetivos))
    transcurrido = time.perf_counter() - inicio
    por_segundo = len(latencias) / transcurrido
    return Medida(por_segundo, _p(latencias, 50), _p(latencias, 99), sum(fallos), len(latencias))


def filas_accion(nombre: str, producto: Medida, minimo: Medida) -> list[Fila]:
    fallos = f", {producto.fallos} failed" if producto.fallos else ""
    return [
        Fila(
            f"{nombre}: actions/s",
            f"{producto.por_segundo:.1f}{fallos}",
            f"{minimo.por_segundo:.1f}",
            producto.por_segundo / minimo.por_segundo,
        ),
        Fila(
            f"{nombre}: p50 / p99 ms",
            f"{producto.p50:.1f} / {producto.p99:.0f}",
            f"{minimo.p50:.1f} / {minimo.p99:.0f}",
            minimo.p50 / producto.p50,
        ),
    ]


async def _token(http: httpx.AsyncClient, dni: str) -> str:
    r = await http.post("/auth", json={"dni": dni, "password": PASSWORD_DEMO})
    r.raise_for_status()
    return r.json()["data"]["token"]


def _cuerpo_averia(n: int) -> dict:
    fecha = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0).isoformat()
    return {
        "clienteId": 1 + n % 7,
        "tipo": "AVERIA",
        "lugar": "PUNO",
        "prioridad": "MEDIA",
        "fechaPendiente": fecha,
        "detalle": {"descripcionFalla": f"bench: sin servicio ({n})"},
    }


class Banco:
    """The stack, its clients and the baseline worker for one run."""

    def __init__(self, pila: Pila, http: httpx.AsyncClient, temporal: Client, sessions) -> None:
        self.pila, self.http, self.temporal, self.sessions = pila, http, temporal, sessions
        self.corrida = uuid.uuid4().hex[:8]

    async def preparar(self, cuantos: int) -> None:
        self.coord = {"Authorization": f"Bearer {await _token(self.http, COORDINADORA)}"}
        self.tecnico = {"Authorization": f"Bearer {await _token(self.http, TECNICO)}"}
        if cuantos == 0:
            return
        personas = await personas_demo(self.sessions)
        self.actor = personas.tecnicos[0]
        limite = asyncio.Semaphore(8)  # preparing is not what we measure: do not flood it

        async def uno(n: int) -> int:
            async with limite:
                return await self._en_progreso(n)

        self.pendientes = list(await asyncio.gather(*(uno(n) for n in range(cuantos))))
        self.flujos = [f"base-{self.corrida}-{n}" for n in range(cuantos)]
        for flujo in self.flujos:
            await self.temporal.start_workflow(base.FLUJO, id=flujo, task_queue=base.COLA)

    async def _en_progreso(self, n: int) -> int:
        """A fresh AVERIA, assigned to the technician and started: ready for pausar/continuar."""
        r = await self.http.post("/api/pendientes", json=_cuerpo_averia(n), headers=self.coord)
        r.raise_for_status()
        pendiente_id = r.json()["data"]["id"]
        ruta = f"/api/pendientes/{pendiente_id}"
        r = await self.http.put(f"{ruta}/asignar?idAsignado={self.actor.empleado_id}", headers=self.coord)
        r.raise_for_status()
        r = await self.http.post(f"{ruta}/acciones/comenzar", headers=self.tecnico)
        r.raise_for_status()
        return pendiente_id

    async def por_http(self, pendiente_id: int, accion: str) -> None:
        r = await self.http.post(f"/api/pendientes/{pendiente_id}/acciones/{accion}", headers=self.tecnico)
        r.raise_for_status()

    async def por_motor(self, pendiente_id: int, accion: str) -> None:
        from api.pendientes.comandos import Comandos
        from domain.acciones import Accion

        if not hasattr(self, "_comandos"):
            self._comandos = Comandos(self.temporal, self.sessions, "pendientes", timedelta(seconds=30))
        await self._comandos.ejecutar(pendiente_id, Accion(accion), OrdenAccion(actor=self.actor))

    async def por_base(self, indice: int, accion: str) -> None:
        handle = self.temporal.get_workflow_handle(self.flujos[indice])
        await handle.execute_update(base.ACTUALIZAR, accion, result_type=int)

    async def acciones(self, total: int) -> list[Fila]:
        filas: list[Fila] = []
        indices = list(range(len(self.pendientes)))
        for accionar, objetivos in ((self.por_http, self.pendientes), (self.por_motor, self.pendientes)):
            await medir(accionar, objetivos[:1], 10)  # warm-up
        await medir(self.por_base, indices[:1], 10)
        cpu = self.cpu()
        for n in LLAMADORES:
            cpu.empezar()
            http = await medir(self.por_http, self.pendientes[:n], total)
            gasto_http = cpu.gastado()
            motor = await medir(self.por_motor, self.pendientes[:n], total)
            cpu.empezar()
            minimo = await medir(self.por_base, indices[:n], total)
            gasto_base = cpu.gastado()
            filas += filas_accion(f"action, {n} caller{'s' if n > 1 else ''}", http, minimo)
            filas += filas_accion(f"↳ engine path alone, {n}", motor, minimo)[:1]
            if n == max(LLAMADORES):
                filas.append(fila_cpu(n, gasto_http, http, gasto_base, minimo))
        return filas

    def cpu(self) -> Cpu:
        partes = {nombre: self.pila.pid(nombre) for nombre in ("api", "worker", "temporal")}
        partes["baseline worker"] = _pid_de(self.pila.temporal)
        return Cpu(partes, self.pila.pid("postgres"))

    async def creaciones(self, total: int, clientes: int) -> tuple[list[Fila], list[int]]:
        cola: asyncio.Queue[int] = asyncio.Queue()
        for n in range(total):
            cola.put_nowait(n)
        creados: list[int] = []
        latencias: list[float] = []
        estados: dict[int, int] = {}

        async def cliente_http() -> None:
            while not cola.empty():
                n = cola.get_nowait()
                clave = {"Idempotency-Key": f"bench-{self.corrida}-{n}"}
                inicio = time.perf_counter()
                try:
                    r = await self.http.post(
                        "/api/pendientes", json=_cuerpo_averia(n), headers=self.coord | clave
                    )
                    estados[r.status_code] = estados.get(r.status_code, 0) + 1
                    if r.status_code == 201:
                        creados.append(r.json()["data"]["id"])
                except httpx.HTTPError:
                    estados[0] = estados.get(0, 0) + 1
                latencias.append((time.perf_counter() - inicio) * 1000)

        cpu = self.cpu()
        cpu.empezar()
        inicio = time.perf_counter()
        await asyncio.gather(*(cliente_http() for _ in range(clientes)))
        producto_s = time.perf_counter() - inicio
        gasto_producto = cpu.gastado()
        p99_producto = _p(latencias, 99)

        for n in range(total):
            cola.put_nowait(n)
        latencias_base: list[float] = []

        async def cliente_base() -> None:
            while not cola.empty():
                n = cola.get_nowait()
                t = time.perf_counter()
                await self.temporal.start_workflow(
                    base.FLUJO, id=f"base-{self.corrida}-alta-{n}", task_queue=base.COLA
                )
                latencias_base.append((time.perf_counter() - t) * 1000)

        cpu.empezar()
        inicio = time.perf_counter()
        await asyncio.gather(*(cliente_base() for _ in range(clientes)))
        base_s = time.perf_counter() - inicio
        gasto_base = cpu.gastado()
        fallos = total - estados.get(201, 0)
        otros = ", ".join(f"{c or 'no answer'}×{k}" for c, k in sorted(estados.items()) if c != 201)
        filas = [
            Fila(
                f"create burst: {total} AVERIA via HTTP, {clientes} clients, with key: seconds",
                f"{producto_s:.1f} ({total / producto_s:.1f}/s)",
                f"{base_s:.1f} ({total / base_s:.1f}/s, raw start_workflow)",
                base_s / producto_s,
            ),
            Fila(
                "create burst: p99 ms / failures",
                f"{p99_producto:.0f} / {fallos}{f' ({otros})' if otros else ''}",
                f"{_p(latencias_base, 99):.0f} / 0",
                None,
            ),
            fila_cpu_altas(total, gasto_producto, gasto_base),
        ]
        return filas, creados

    async def verificar_creados(self, ids: list[int], visibles: dict[int, dict]) -> Fila:
        """Every created pendiente has its row, its AVERIA detail, its `crear` historial and its workflow."""
        async with self.sessions() as s:
            filas = await s.scalar(select(func.count()).where(m.Pendiente.id.in_(ids)))
            detalles = await s.scalar(select(func.count()).where(m.PendienteAveria.pendiente_id.in_(ids)))
            historial = await s.scalar(
                select(func.count()).where(m.Historial.pendiente_id.in_(ids), m.Historial.accion == "crear")
            )
        flujos = sum(1 for i in ids if i in visibles)
        faltan = len(ids) * 4 - (filas + detalles + historial + flujos)
        texto = f"{filas} rows, {detalles} details, {historial} historial, {flujos} workflows"
        return Fila("created pendientes complete (missing pieces)", f"{texto}: {faltan} missing", "—", None)

    async def visibilidad(self) -> dict[int, dict]:
        """Search attributes of every PendienteWorkflow, by pendiente id (the latest run)."""
        atributos: dict[int, dict] = {}
        consulta = f'WorkflowType="{nombres.FLUJO_PENDIENTE}"'
        async for flujo in self.temporal.list_workflows(consulta, page_size=1000):
            pendiente_id = int(flujo.id.removeprefix("pendiente-"))
            sa = flujo.typed_search_attributes
            atributos.setdefault(
                pendiente_id,
                {
                    "estado": sa.get(busqueda.ESTADO),
                    "estado_tecnico": sa.get(busqueda.ESTADO_TECNICO),
                    "asignado_a": sa.get(busqueda.ASIGNADO_A),
                    "vencido": sa.get(busqueda.VENCIDO),
                },
            )
        return atributos

    async def desajustes(self, intentos: int = 20) -> tuple[int, int, dict[int, dict]]:
        """Pendientes whose search attributes differ from Postgres (visibility is written after the
        workflow task, so a few tries while it settles); returns (mismatches, compared, visibility)."""
        for intento in range(intentos):
            visibles = await self.visibilidad()
            async with self.sessions() as s:
                filas = (
                    await s.execute(
                        select(
                            m.Pendiente.id,
                            m.Pendiente.estado,
                            m.Pendiente.estado_tecnico,
                            m.Pendiente.asignado_a,
                            m.Pendiente.vencido,
                        ).where(m.Pendiente.vigente.is_(True))
                    )
                ).all()
            distintos = 0
            for pid, estado, estado_tecnico, asignado_a, vencido in filas:
                sa = visibles.get(pid)
                esperado = {
                    "estado": str(getattr(estado, "value", estado)),
                    "estado_tecnico": str(getattr(estado_tecnico, "value", estado_tecnico)),
                    "asignado_a": asignado_a,
                    "vencido": vencido,
                }
                if sa != esperado:
                    distintos += 1
            if distintos == 0 or intento == intentos - 1:
                return distintos, len(filas), visibles
            await asyncio.sleep(0.5)
        raise AssertionError("unreachable")


def fila_cpu(
    n: int, producto: dict[str, float], hechas: Medida, base: dict[str, float], minimo: Medida
) -> Fila:
    """CPU per action of each part: where the product spends what the baseline does not."""

    def por_accion(gasto: dict[str, float], partes: tuple[str, ...], medida: Medida) -> tuple[float, str]:
        cada = [gasto.get(p, 0.0) / max(medida.cuantas, 1) for p in partes]
        return sum(cada), " + ".join(f"{c:.1f}" for c in cada)

    total_p, partes_p = por_accion(producto, ("api", "worker", "temporal", "postgres"), hechas)
    total_b, partes_b = por_accion(base, ("baseline worker", "temporal", "postgres"), minimo)
    return Fila(
        f"CPU ms per action at {n} callers: product api + worker + temporal + postgres; "
        "baseline worker + temporal + postgres",
        f"{total_p:.1f} ({partes_p})",
        f"{total_b:.1f} ({partes_b})",
        total_b / total_p if total_p else None,
    )


def fila_cpu_altas(total: int, producto: dict[str, float], base: dict[str, float]) -> Fila:
    """CPU per create of each part (the baseline's start_workflow runs until its INSERT, so its worker
    may still be busy with the last few when the burst ends: a slight underestimate)."""

    def por_alta(gasto: dict[str, float], partes: tuple[str, ...]) -> tuple[float, str]:
        cada = [gasto.get(p, 0.0) / total for p in partes]
        return sum(cada), " + ".join(f"{c:.1f}" for c in cada)

    total_p, partes_p = por_alta(producto, ("api", "worker", "temporal", "postgres"))
    total_b, partes_b = por_alta(base, ("baseline worker", "temporal", "postgres"))
    return Fila(
        "CPU ms per create: product api + worker + temporal + postgres; "
        "baseline worker + temporal + postgres",
        f"{total_p:.1f} ({partes_p})",
        f"{total_b:.1f} ({partes_b})",
        total_b / total_p if total_p else None,
    )


@contextmanager
def pila_con_base() -> Iterator[Pila]:
    """The product's stack with the demo, and the baseline worker on its Temporal and Postgres."""
    with tempfile.TemporaryDirectory(prefix="pendientes-bench-") as directorio:
        pila = Pila(Path(directorio), demo=True)
        trabajador = None
        try:
            pila.arrancar()
            trabajador = subprocess.Popen(
                [sys.executable, "-m", "bench.base", "--temporal", pila.temporal]
                + ["--database-url", pila.database_url()],
                stdout=subprocess.PIPE,
                text=True,
            )
            if trabajador.stdout.readline().strip() != "baseline worker ready":
                raise RuntimeError("the baseline worker did not start")
            yield pila
        finally:
            if trabajador is not None:
                trabajador.terminate()
                trabajador.wait(timeout=30)
            pila.detener()


async def correr(pila: Pila, args: argparse.Namespace, avisar=print) -> list[Fila]:
    engine = make_engine(pila.database_url())
    limites = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    temporal = await Client.connect(pila.temporal, data_converter=pydantic_data_converter)
    try:
        async with httpx.AsyncClient(base_url=pila.api, timeout=60, limits=limites) as http:
            banco = Banco(pila, http, temporal, make_session_factory(engine))
            filas: list[Fila] = []
            if args.acciones:
                avisar(f"preparing {max(LLAMADORES)} pendientes in EN_PROGRESO ...")
                await banco.preparar(max(LLAMADORES))
                avisar("actions at 1, 10 and 50 callers: http, engine, baseline ...")
                filas = await banco.acciones(args.acciones)
            else:
                await banco.preparar(0)
            avisar(f"create burst: {args.altas} via HTTP, then {args.altas} raw start_workflow ...")
            filas_altas, creados = await banco.creaciones(args.altas, args.clientes)
            filas += filas_altas
            avisar("checking Postgres against visibility ...")
            distintos, comparados, visibles = await banco.desajustes()
            filas.append(await banco.verificar_creados(creados, visibles))
            filas.append(
                Fila(
                    "search attributes ≠ Postgres (Estado, EstadoTecnico, AsignadoA, Vencido)",
                    f"{distintos} of {comparados}",
                    "—",
                    None,
                )
            )
    finally:
        await engine.dispose()
    return filas


def argumentos(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--acciones", type=int, default=300, help="actions per path and concurrency (0: creates only)"
    )
    parser.add_argument("--altas", type=int, default=2000, help="pendientes of the create burst")
    parser.add_argument("--clientes", type=int, default=20, help="concurrent clients of the burst")


def main(args: argparse.Namespace) -> None:
    with pila_con_base() as pila:
        filas = asyncio.run(correr(pila, args, lambda t: print(t, flush=True)))
    print("\n" + tabla(filas))


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    argumentos(p)
    main(p.parse_args())
