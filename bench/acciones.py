"""Benchmark of the action path, on the running stack (`make run` in another terminal).

    .venv/bin/python -m bench.acciones [--api http://127.0.0.1:8000] [--temporal 127.0.0.1:7233]

It measures the same action (pausar / continuar toggles by the assigned technician, each one a
workflow Update that writes the pendiente row and a historial row in one transaction) two ways:
  http    POST /api/pendientes/{id}/acciones/{accion}: HTTP, token check, user reload, Update, re-read
  motor   the Update sent straight to Temporal: same workflow handler, same Postgres write
and prints sequential p50/p99 and throughput with 50 concurrent callers, and the ratio between them.
It creates its own pendientes through the API; nothing else is touched. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

import httpx
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from contrato.mensajes import ActorMsg, EstadoVivo, OrdenAccion
from domain.permisos import ROLES_DEMO
from infra.temporal import workflow_id
from ops.demo import PASSWORD_DEMO

COORDINADORA, TECNICO = "10000002", "10000006"


async def _token(http: httpx.AsyncClient, dni: str) -> str:
    r = await http.post("/auth", json={"dni": dni, "password": PASSWORD_DEMO})
    r.raise_for_status()
    return r.json()["data"]["token"]


async def _en_progreso(http: httpx.AsyncClient, coord: str, tecnico: str, tecnico_id: int) -> int:
    """A fresh camera installation, assigned and started: ready for pausar/continuar toggles."""
    cuerpo = {"clienteId": 1, "tipo": "INSTALACION_CAMARAS", "lugar": "PUNO", "prioridad": "BAJA"}
    r = await http.post("/api/pendientes", json=cuerpo, headers={"Authorization": f"Bearer {coord}"})
    r.raise_for_status()
    pendiente_id = r.json()["data"]["id"]
    ruta = f"/api/pendientes/{pendiente_id}"
    await http.put(f"{ruta}/asignar?idAsignado={tecnico_id}", headers={"Authorization": f"Bearer {coord}"})
    r = await http.post(f"{ruta}/acciones/comenzar", headers={"Authorization": f"Bearer {tecnico}"})
    r.raise_for_status()
    return pendiente_id


Accionar = Callable[[int, str], Awaitable[None]]


async def _secuencial(accionar: Accionar, pendiente_id: int, veces: int) -> list[float]:
    latencias = []
    for i in range(veces):
        inicio = time.perf_counter()
        await accionar(pendiente_id, "pausar" if i % 2 == 0 else "continuar")
        latencias.append((time.perf_counter() - inicio) * 1000)
    return latencias


async def _concurrente(accionar: Accionar, pendientes: list[int], veces: int) -> float:
    inicio = time.perf_counter()
    await asyncio.gather(*(_secuencial(accionar, p, veces) for p in pendientes))
    return len(pendientes) * veces / (time.perf_counter() - inicio)


def _p(latencias: list[float], q: int) -> float:
    return statistics.quantiles(latencias, n=100)[q - 1]


async def main(args: argparse.Namespace) -> None:
    limites = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=args.api, timeout=30, limits=limites) as http:
        coord, tecnico = await _token(http, COORDINADORA), await _token(http, TECNICO)
        tecnico_id = await _empleado(http, tecnico)
        print(f"preparing {args.concurrencia * 2 + 2} pendientes in EN_PROGRESO ...", flush=True)
        limite = asyncio.Semaphore(8)  # preparing is not what we measure: do not flood it

        async def preparar() -> int:
            async with limite:
                return await _en_progreso(http, coord, tecnico, tecnico_id)

        pendientes = await asyncio.gather(*(preparar() for _ in range(args.concurrencia * 2 + 2)))
        temporal = await Client.connect(args.temporal, data_converter=pydantic_data_converter)
        actor = ActorMsg(empleado_id=tecnico_id, nombre="bench", permisos=ROLES_DEMO["tecnico"][1])

        async def por_http(pendiente_id: int, accion: str) -> None:
            ruta = f"/api/pendientes/{pendiente_id}/acciones/{accion}"
            r = await http.post(ruta, headers={"Authorization": f"Bearer {tecnico}"})
            r.raise_for_status()

        async def por_motor(pendiente_id: int, accion: str) -> None:
            handle = temporal.get_workflow_handle(workflow_id(pendiente_id))
            await handle.execute_update(accion, OrdenAccion(actor=actor), result_type=EstadoVivo)

        filas = []
        mitad = args.concurrencia
        for nombre, accionar, propios, grupo in (
            ("http", por_http, pendientes[0], pendientes[2 : 2 + mitad]),
            ("motor", por_motor, pendientes[1], pendientes[2 + mitad :]),
        ):
            await _secuencial(accionar, propios, 10)  # warm-up
            latencias = await _secuencial(accionar, propios, args.secuenciales)
            rendimiento = await _concurrente(accionar, grupo, args.por_llamador)
            filas.append((nombre, _p(latencias, 50), _p(latencias, 99), rendimiento))

    print(f"\n{'path':<8}{'p50 ms':>10}{'p99 ms':>10}{'actions/s @' + str(args.concurrencia):>20}")
    for nombre, p50, p99, rendimiento in filas:
        print(f"{nombre:<8}{p50:>10.1f}{p99:>10.1f}{rendimiento:>20.1f}")
    (_, h50, h99, hr), (_, m50, m99, mr) = filas
    print(f"\nhttp / motor: p50 x{h50 / m50:.2f}, p99 x{h99 / m99:.2f}, throughput x{hr / mr:.2f}")


async def _empleado(http: httpx.AsyncClient, token: str) -> int:
    """The caller's own empleado id (GET /api/usuarios/usuario)."""
    r = await http.get("/api/usuarios/usuario", headers={"Authorization": f"Bearer {token}"})
    r.raise_for_status()
    return r.json()["data"]["empleado"]["id"]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    parser.add_argument("--temporal", default="127.0.0.1:7233")
    parser.add_argument("--secuenciales", type=int, default=200, help="sequential actions per path")
    parser.add_argument("--concurrencia", type=int, default=50, help="concurrent callers")
    parser.add_argument("--por-llamador", type=int, default=10, help="actions per concurrent caller")
    asyncio.run(main(parser.parse_args()))
