"""Benchmark of events out, on the running stack (`make run` in another terminal).

    .venv/bin/python -m bench.webhooks [--api http://127.0.0.1:8000] [--acciones 200] [--suscripciones 10]

In one run, against a receiver it starts on 127.0.0.1 (answers 200 at once):
  1. the action path (pausar / continuar toggles by the assigned technician, over HTTP) with none of
     its own subscriptions, then with `--suscripciones` active ones: p50 / p99 of each and their ratio
     (the outbox adds one row to the action's transaction; delivery happens elsewhere, in Temporal);
  2. deliveries per second: a burst of concurrent actions, each event delivered to every subscription,
     from the first action sent to the last delivery received.
It creates its own pendientes and subscriptions through the API and deletes the subscriptions at the
end. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx

from ops.demo import PASSWORD_DEMO

ADMIN, COORDINADORA, TECNICO = "10000001", "10000002", "10000006"


class Receptor:
    """A bare HTTP/1.1 server that answers 200 to every POST and notes when each (subscription, event)
    arrived. The subscription is told apart by the path (`/hook/<n>`)."""

    def __init__(self) -> None:
        self.llegadas: dict[tuple[str, str], float] = {}
        self.puerto = 0

    async def __aenter__(self) -> Receptor:
        self._servidor = await asyncio.start_server(self._atender, "127.0.0.1", 0)
        self.puerto = self._servidor.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_) -> None:
        self._servidor.close()

    async def _atender(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            cabeza = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            partes = (linea.partition(":") for linea in cabeza[1:])
            cabeceras = {k.strip().lower(): v.strip() for k, _, v in partes if k}
            await reader.readexactly(int(cabeceras.get("content-length", "0")))
            ruta = cabeza[0].split(" ")[1]
            self.llegadas.setdefault((ruta, cabeceras.get("webhook-id", "")), time.perf_counter())
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def _token(http: httpx.AsyncClient, dni: str) -> dict[str, str]:
    r = await http.post("/auth", json={"dni": dni, "password": PASSWORD_DEMO})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['data']['token']}"}


async def _en_progreso(http: httpx.AsyncClient, coord: dict, tecnico: dict, tecnico_id: int) -> int:
    cuerpo = {"clienteId": 1, "tipo": "INSTALACION_CAMARAS", "lugar": "PUNO", "prioridad": "BAJA"}
    r = await http.post("/api/pendientes", json=cuerpo, headers=coord)
    r.raise_for_status()
    pendiente_id = r.json()["data"]["id"]
    ruta = f"/api/pendientes/{pendiente_id}"
    (await http.put(f"{ruta}/asignar?idAsignado={tecnico_id}", headers=coord)).raise_for_status()
    (await http.post(f"{ruta}/acciones/comenzar", headers=tecnico)).raise_for_status()
    return pendiente_id


async def _alternar(http: httpx.AsyncClient, tecnico: dict, pendiente_id: int, veces: int) -> list[float]:
    latencias = []
    for i in range(veces):
        accion = "pausar" if i % 2 == 0 else "continuar"
        inicio = time.perf_counter()
        r = await http.post(f"/api/pendientes/{pendiente_id}/acciones/{accion}", headers=tecnico)
        r.raise_for_status()
        latencias.append((time.perf_counter() - inicio) * 1000)
    return latencias


async def _hasta(receptor: Receptor, llegadas: int, espera: float) -> None:
    limite = time.perf_counter() + espera
    while len(receptor.llegadas) < llegadas and time.perf_counter() < limite:
        await asyncio.sleep(0.05)


def _p(latencias: list[float], q: int) -> float:
    return statistics.quantiles(latencias, n=100)[q - 1]


async def main(args: argparse.Namespace) -> None:
    limites = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    cliente = httpx.AsyncClient(base_url=args.api, timeout=60, limits=limites)
    async with cliente as http, Receptor() as receptor:
        admin, coord, tecnico = [await _token(http, dni) for dni in (ADMIN, COORDINADORA, TECNICO)]
        yo = (await http.get("/api/usuarios/usuario", headers=tecnico)).json()["data"]
        tecnico_id = yo["empleado"]["id"]
        pendientes = [await _en_progreso(http, coord, tecnico, tecnico_id) for _ in range(args.rafaga + 2)]

        await _alternar(http, tecnico, pendientes[0], 10)  # warm-up
        sin = await _alternar(http, tecnico, pendientes[0], args.acciones)

        suscripciones = []
        for n in range(args.suscripciones):
            cuerpo = {"url": f"http://127.0.0.1:{receptor.puerto}/hook/{n}", "descripcion": "bench.webhooks"}
            r = await http.post("/api/webhooks", json=cuerpo, headers=admin)
            r.raise_for_status()
            suscripciones.append(r.json()["data"]["id"])
        try:
            con = await _alternar(http, tecnico, pendientes[1], args.acciones)
            await _hasta(receptor, args.acciones * args.suscripciones, args.espera)  # the phase's deliveries

            # The burst: each of `rafaga` pendientes takes 2 actions at once; every event goes to every
            # subscription. Counted from the first action sent to the last delivery received.
            antes = set(receptor.llegadas)
            inicio = time.perf_counter()
            await asyncio.gather(*(_alternar(http, tecnico, p, 2) for p in pendientes[2:]))
            esperadas = args.rafaga * 2 * args.suscripciones
            await _hasta(receptor, len(antes) + esperadas, args.espera)
            nuevas = [t for k, t in receptor.llegadas.items() if k not in antes]
            duracion = max(nuevas) - inicio if nuevas else float("nan")
        finally:
            for id_ in suscripciones:
                await http.delete(f"/api/webhooks/{id_}", headers=admin)

    print(f"\n{'action path':<28}{'p50 ms':>10}{'p99 ms':>10}")
    print(f"{'without subscriptions':<28}{_p(sin, 50):>10.1f}{_p(sin, 99):>10.1f}")
    print(f"{f'with {args.suscripciones} subscriptions':<28}{_p(con, 50):>10.1f}{_p(con, 99):>10.1f}")
    print(f"ratio with / without: p50 x{_p(con, 50) / _p(sin, 50):.2f}, p99 x{_p(con, 99) / _p(sin, 99):.2f}")
    print(
        f"\ndeliveries: {len(nuevas)} of {esperadas} expected in {duracion:.1f} s"
        f" -> {len(nuevas) / duracion:.1f} deliveries/s"
    )


if __name__ == "__main__":
    formato = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formato)
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    parser.add_argument("--acciones", type=int, default=200, help="sequential actions per phase")
    parser.add_argument("--suscripciones", type=int, default=10, help="active subscriptions in phase 2")
    parser.add_argument("--rafaga", type=int, default=50, help="pendientes taking 2 actions at once")
    parser.add_argument("--espera", type=float, default=120, help="seconds to wait for the deliveries")
    asyncio.run(main(parser.parse_args()))
