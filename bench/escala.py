"""What a second worker (and a second API process) adds on this machine.

    .venv/bin/python -m bench.escala
    .venv/bin/python -m bench.escala --acciones 300 --altas 200

One stack started as `make run` does (bench/caos/pila.py, with the demo). Three configurations, one after
the other, on the same Temporal dev server and Postgres:

  1 worker, 1 API     the supervisor's processes.
  2 workers, 1 API    plus `python -m worker` started here with the supervisor's worker's environment, on the
                      same task queue.
  2 workers, 2 APIs   plus a second uvicorn on another port; callers alternate between the two (the compose
                      file puts a proxy in front; here the client balances).

In each: pausar/continuar toggles through HTTP at 10 and 50 callers (bench.acciones.medir, each caller on
its own pendiente), and a create burst of `--altas` AVERIA through HTTP by 20 clients. The toggled
pendientes are opened fresh in each configuration: a workflow stays on the worker that ran its last task
(the sticky cache), so the pendientes opened before the second worker started keep going to the first one;
a row shows that too. CPU seconds per action of every process (API, workers, Temporal, Postgres) say where
the time goes. Prints a markdown table (figure, 1 worker, 2 workers, ratio). Figures, not assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from bench import acciones
from bench.caos.pila import Pila, puerto_libre
from bench.procesos import cpu_maquina, cpu_segundos, entorno_de
from db.engine import make_engine, make_session_factory

LLAMADORES = (10, 50)


@dataclass
class Procesos:
    """The processes whose CPU is counted, by role."""

    pila: Pila
    extra: dict[str, list[int]] = field(default_factory=dict)

    def pids(self) -> dict[str, list[int]]:
        base = {n: [self.pila.pid(n)] for n in ("api", "worker", "temporal")}
        for rol, pids in self.extra.items():
            base[rol] = base.get(rol, []) + pids
        return base

    def cpu(self) -> dict[str, float]:
        cpu = {rol: sum(cpu_segundos(p) for p in pids) for rol, pids in self.pids().items()}
        cpu["postgres"] = cpu_segundos(self.pila.pid("postgres"), con_hijos=True)
        cpu["client"] = time.process_time()  # this benchmark: the HTTP callers
        cpu["machine"] = cpu_maquina()  # everything, other users of the machine included
        return cpu


def _lanzar(comando: list[str], env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen:
    with log.open("wb") as salida:
        return subprocess.Popen(
            comando, env=env, cwd=cwd, stdout=salida, stderr=salida, start_new_session=True
        )


def segundo_worker(pila: Pila) -> subprocess.Popen:
    env = entorno_de(pila.pid("worker")) | {"WORKER_METRICS_ADDRESS": ""}
    return _lanzar([sys.executable, "-m", "worker"], env, pila.directorio, pila.directorio / "worker2.log")


def segunda_api(pila: Pila) -> tuple[subprocess.Popen, str]:
    puerto = puerto_libre()
    env = entorno_de(pila.pid("api"))
    comando = [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(puerto)]
    proceso = _lanzar(comando, env, pila.directorio, pila.directorio / "api2.log")
    url = f"http://127.0.0.1:{puerto}"
    limite = time.monotonic() + 60
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                return proceso, url
        if proceso.poll() is not None or time.monotonic() > limite:
            raise RuntimeError(f"the second API did not start: {(pila.directorio / 'api2.log').read_text()}")
        time.sleep(0.3)


async def _esperar_pollers(temporal: Client, cuantos: int) -> None:
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

    pedido = DescribeTaskQueueRequest(namespace=temporal.namespace, task_queue=TaskQueue(name="pendientes"))
    limite = time.monotonic() + 60
    while time.monotonic() < limite:
        respuesta = await temporal.workflow_service.describe_task_queue(pedido)
        if len({p.identity for p in respuesta.pollers}) >= cuantos:
            return
        await asyncio.sleep(0.5)
    raise RuntimeError(f"fewer than {cuantos} workers poll the task queue")


@dataclass
class Resultado:
    medidas: dict[str, acciones.Medida]
    cpu_por_accion: dict[str, float]  # role -> ms of CPU per action, over the action runs
    altas: float  # creates/s
    ocupacion: float  # the machine's busy CPU over the action runs, % of one core


async def configuracion(
    banco: acciones.Banco, https: list[httpx.AsyncClient], procesos: Procesos, args, viejos: list[int] | None
) -> Resultado:
    """Fresh pendientes for this configuration, toggled at 10 and 50 callers, then a small create burst."""
    banco.corrida = uuid.uuid4().hex[:8]  # names of this configuration's baseline workflows (unused here)
    await banco.preparar(max(LLAMADORES))

    async def por_http(pendiente_id: int, accion: str) -> None:
        http = https[pendiente_id % len(https)]
        r = await http.post(f"/api/pendientes/{pendiente_id}/acciones/{accion}", headers=banco.tecnico)
        r.raise_for_status()

    await acciones.medir(por_http, banco.pendientes[:2], 20)  # warm-up
    medidas: dict[str, acciones.Medida] = {}
    antes, inicio = procesos.cpu(), time.monotonic()
    for n in LLAMADORES:
        medidas[f"{n}"] = await acciones.medir(por_http, banco.pendientes[:n], args.acciones)
    despues, segundos = procesos.cpu(), time.monotonic() - inicio
    total_acciones = sum(max(2, args.acciones // n) // 2 * 2 * n for n in LLAMADORES)
    cpu = {rol: (despues[rol] - antes.get(rol, 0.0)) * 1000 / total_acciones for rol in despues}
    if viejos is not None:
        medidas["viejos"] = await acciones.medir(por_http, viejos[:50], args.acciones)
    altas = await _altas(banco, https, args)
    ocupacion = (despues["machine"] - antes["machine"]) * 100 / segundos
    return Resultado(medidas, cpu, altas, ocupacion)


async def _altas(banco: acciones.Banco, https: list[httpx.AsyncClient], args) -> float:
    cola = list(range(args.altas))

    async def cliente(i: int) -> None:
        http = https[i % len(https)]
        while cola:
            n = cola.pop()
            r = await http.post("/api/pendientes", json=acciones._cuerpo_averia(n), headers=banco.coord)
            r.raise_for_status()

    inicio = time.perf_counter()
    await asyncio.gather(*(cliente(i) for i in range(20)))
    return args.altas / (time.perf_counter() - inicio)


def _filas(uno: Resultado, dos: Resultado, tres: Resultado) -> list[str]:
    cab = [
        "| figure | 1 worker, 1 API | 2 workers, 1 API | ratio | 2 workers, 2 APIs | ratio |",
        "|---|---|---|---|---|---|",
    ]
    filas = []
    for n in LLAMADORES:
        a, b, c = uno.medidas[f"{n}"], dos.medidas[f"{n}"], tres.medidas[f"{n}"]
        filas.append(
            f"| action, {n} callers: actions/s | {a.por_segundo:.1f} | {b.por_segundo:.1f} "
            f"| {b.por_segundo / a.por_segundo:.2f} | {c.por_segundo:.1f} "
            f"| {c.por_segundo / a.por_segundo:.2f} |"
        )
        filas.append(
            f"| action, {n} callers: p50 / p99 ms | {a.p50:.0f} / {a.p99:.0f} | {b.p50:.0f} / {b.p99:.0f} "
            f"| {a.p50 / b.p50:.2f} | {c.p50:.0f} / {c.p99:.0f} | {a.p50 / c.p50:.2f} |"
        )
    v = dos.medidas["viejos"]
    a50 = uno.medidas["50"]
    filas.append(
        f"| ↳ 50 callers on pendientes opened before worker 2 (sticky to worker 1): actions/s "
        f"| {a50.por_segundo:.1f} | {v.por_segundo:.1f} | {v.por_segundo / a50.por_segundo:.2f} | | |"
    )
    filas.append(
        f"| create burst, 20 clients: creates/s | {uno.altas:.1f} | {dos.altas:.1f} "
        f"| {dos.altas / uno.altas:.2f} "
        f"| {tres.altas:.1f} | {tres.altas / uno.altas:.2f} |"
    )
    roles = ("api", "worker", "temporal", "postgres", "client")
    for rol in roles:
        a, b, c = (r.cpu_por_accion.get(rol, 0.0) for r in (uno, dos, tres))
        filas.append(f"| CPU ms per action (10 + 50 callers): {rol} | {a:.1f} | {b:.1f} | — | {c:.1f} | — |")
    a, b, c = (sum(r.cpu_por_accion[rol] for rol in roles) for r in (uno, dos, tres))
    filas.append(f"| CPU ms per action: the stack and its callers | {a:.1f} | {b:.1f} | — | {c:.1f} | — |")
    a, b, c = (r.cpu_por_accion["machine"] for r in (uno, dos, tres))
    filas.append(
        f"| CPU ms per action: the whole machine (other users too) | {a:.1f} | {b:.1f} | — | {c:.1f} | — |"
    )
    a, b, c = (r.ocupacion for r in (uno, dos, tres))
    filas.append(
        f"| machine busy during the actions (2 cores = 200 %) | {a:.0f} % | {b:.0f} % | — | {c:.0f} % | — |"
    )
    return cab + filas


async def correr(pila: Pila, args: argparse.Namespace, avisar) -> list[str]:
    engine = make_engine(pila.database_url(), pool_size=10)
    temporal = await Client.connect(pila.temporal, data_converter=pydantic_data_converter)
    limites = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    procesos = Procesos(pila)
    extra: list[subprocess.Popen] = []
    try:
        async with contextlib.AsyncExitStack() as pilas:
            http = await pilas.enter_async_context(
                httpx.AsyncClient(base_url=pila.api, timeout=60, limits=limites)
            )
            banco = acciones.Banco(pila, http, temporal, make_session_factory(engine))
            avisar("1 worker, 1 API ...")
            uno = await configuracion(banco, [http], procesos, args, None)
            viejos = banco.pendientes
            extra.append(segundo_worker(pila))
            procesos.extra["worker"] = [extra[-1].pid]
            await _esperar_pollers(temporal, 2)
            avisar("2 workers, 1 API ...")
            dos = await configuracion(banco, [http], procesos, args, viejos)
            proceso, url = segunda_api(pila)
            extra.append(proceso)
            procesos.extra["api"] = [proceso.pid]
            http2 = await pilas.enter_async_context(
                httpx.AsyncClient(base_url=url, timeout=60, limits=limites)
            )
            avisar("2 workers, 2 APIs ...")
            tres = await configuracion(banco, [http, http2], procesos, args, None)
    finally:
        for proceso in reversed(extra):
            proceso.terminate()
            try:
                proceso.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proceso.kill()
        await engine.dispose()
    return _filas(uno, dos, tres)


def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="pendientes-bench-escala-") as directorio:
        pila = Pila(Path(directorio), demo=True, espera_update=60)
        try:
            pila.arrancar()
            filas = asyncio.run(correr(pila, args, lambda t: print(t, flush=True)))
        finally:
            pila.detener()
    from bench.__main__ import _maquina

    print(f"\nmachine: {_maquina()}\n\n" + "\n".join(filas))


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--acciones", type=int, default=300, help="actions per concurrency and configuration")
    p.add_argument("--altas", type=int, default=200, help="pendientes of each create burst")
    main(p.parse_args())
