"""A chaos run: one supervised stack, then one round per fault. In a round both kinds of client load
pendientes of their own at the same time; once a share of the operations is done, one child of the
supervisor is killed with SIGKILL; the load goes on through the outage and after; then the run waits
for quiet and verifies (verificacion.py). One row per fault and client kind."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import select

from bench.caos.carga import CON_CLAVE, SIN_CLAVE, Carga, Operacion, iniciar_sesion, sembrar
from bench.caos.pila import Pila, usan
from bench.caos.verificacion import Verificacion, esperar_quietud, verificar
from db import models as m
from db.engine import make_engine, make_session_factory
from infra.config import Settings
from infra.temporal import connect
from ops.demo import cargar_referencia

FALLOS = ("worker", "api", "temporal", "postgres")
COLA = "pendientes"  # the supervisor's default task queue


@dataclass(frozen=True)
class Config:
    operaciones: int = 910  # per client kind and round
    llamadores: int = 30  # per client kind
    pendientes: int = 65  # fresh ones per client kind and round
    fallos: tuple[str, ...] = FALLOS
    fraccion: float = 0.3  # share of a round's operations done when the fault strikes
    plazo_ronda: float = 300.0  # seconds after which a round starts no new operation
    espera_operacion: float = 120.0  # how long a keyed client resends one operation
    espera_update: float = 10.0  # UPDATE_TIMEOUT_SECONDS of the stack
    semilla: int = 9
    reparar: bool = True  # after measuring, let the reconciler repair and check again
    directorio: Path | None = None  # kept when given; a temporary one is removed at the end


@dataclass
class Fila:
    fallo: str
    cliente: str
    operaciones: int
    exitos: int  # 2xx
    confirmadas: int  # 503, then `data.resultado` said applied
    conflictos: int  # final answer 409
    otros_4xx: int
    respuestas_503: int  # every 503 received, resends included
    otros_5xx: int
    sin_respuesta: int  # no definite outcome learnt
    perdidas: int
    duplicadas: int
    escritas_rechazadas: int
    divergentes: int
    no_verificables: int
    tardias: int
    reparados: int
    tras_reparar: int
    en_vuelo: int  # operations sent before the kill and answered after it (or never)
    vuelta: float | None  # seconds from the kill to /health 200 with the new child
    primer_2xx: float | None  # seconds from the kill to the first 2xx of an operation sent after it
    detalle: Verificacion = field(repr=False, default_factory=Verificacion)
    ops: list[Operacion] = field(repr=False, default_factory=list)

    @property
    def limpia(self) -> bool:
        return not (self.perdidas or self.duplicadas or self.escritas_rechazadas or self.divergentes)


@dataclass
class Resultado:
    filas: list[Fila]
    segundos: float
    restos: list[str]  # processes that had to be killed by force at the end


def ejecutar(config: Config, avisar=print) -> Resultado:
    inicio = time.monotonic()
    temporal = config.directorio is None
    directorio = Path(tempfile.mkdtemp(prefix="caos-")) if temporal else config.directorio
    pila = Pila(directorio, espera_update=config.espera_update)
    restos: list[str] = []
    try:
        avisar(f"starting the supervised stack in {directorio} ...")
        pila.arrancar()
        avisar(f"stack up in {time.monotonic() - inicio:.0f}s (API {pila.api})")
        filas = asyncio.run(_rondas(pila, config, avisar))
    finally:
        restos = pila.detener()
        if usan(pila.datos):
            restos.append("processes still on the data directory")
        if temporal:
            shutil.rmtree(directorio, ignore_errors=True)
    return Resultado(filas, time.monotonic() - inicio, restos)


async def _rondas(pila: Pila, config: Config, avisar) -> list[Fila]:
    engine = make_engine(pila.database_url(), pool_size=4)
    sessions = make_session_factory(engine)
    settings = Settings(temporal_address=pila.temporal, _env_file=None)
    client = await connect(settings)
    limites = httpx.Limits(max_connections=200, max_keepalive_connections=100)
    timeout = httpx.Timeout(config.espera_update + 20)
    try:
        await cargar_referencia(sessions)
        async with sessions() as s:
            clientes = list(await s.scalars(select(m.Cliente.id).order_by(m.Cliente.id)))
        async with httpx.AsyncClient(base_url=pila.api, timeout=timeout, limits=limites) as http:
            sesion = await iniciar_sesion(http)
            filas = []
            for numero, fallo in enumerate(config.fallos, 1):
                ronda = Ronda(pila, config, http, sesion, sessions, client, clientes, f"c{numero}", fallo)
                filas += await ronda.correr(avisar)
            return filas
    finally:
        await engine.dispose()


@dataclass
class Ronda:
    pila: Pila
    config: Config
    http: httpx.AsyncClient
    sesion: object
    sessions: object
    client: object
    clientes: list[int]
    prefijo: str
    fallo: str
    muerte: float | None = None
    vuelta: float | None = None

    async def correr(self, avisar) -> list[Fila]:
        c, inicio = self.config, time.monotonic()
        grupos = {}
        for tipo in (CON_CLAVE, SIN_CLAVE):
            grupos[tipo] = await sembrar(
                self.http, self.sesion, c.pendientes, f"{self.prefijo}{tipo[:3]}", self.clientes
            )
        sembrada = time.monotonic()
        plazo = sembrada + c.plazo_ronda
        cargas = [
            Carga(
                self.http,
                self.sesion,
                tipo,
                pendientes,
                c.operaciones,
                c.llamadores,
                self.prefijo,
                plazo,
                c.espera_operacion,
                c.semilla,
            )
            for tipo, pendientes in grupos.items()
        ]
        avisar(f"round {self.prefijo}: {self.fallo} killed after {c.fraccion:.0%} of the operations ...")
        corriendo = [asyncio.create_task(carga.correr()) for carga in cargas]
        await self._fallar(cargas, corriendo)
        await asyncio.gather(*corriendo)
        descargada = time.monotonic()
        todos = [i for pendientes in grupos.values() for i in pendientes]
        await asyncio.to_thread(self.pila.esperar, lambda: self.pila.salud() == 200, 120, "/health 200")
        await esperar_quietud(self.sessions, todos, 60)
        cargada = time.monotonic()
        filas = []
        for carga in cargas:
            ids = sorted(carga.pendientes)
            v = await verificar(self.sessions, self.client, COLA, carga.hechas, ids, c.reparar)
            filas.append(self._fila(carga.tipo, carga.hechas, v))
        fin = time.monotonic()
        avisar(
            f"  seed {sembrada - inicio:.0f}s, load {descargada - sembrada:.0f}s, "
            f"quiet {cargada - descargada:.0f}s, checks {fin - cargada:.0f}s"
        )
        return filas

    async def _fallar(self, cargas: list[Carga], corriendo: list[asyncio.Task]) -> None:
        # Strike mid-load: past the share of operations, and while both kinds have an action in flight.
        objetivo = self.config.fraccion * sum(carga.operaciones for carga in cargas)
        while not all(t.done() for t in corriendo):
            if sum(len(carga.hechas) for carga in cargas) >= objetivo and all(c.en_vuelo for c in cargas):
                break
            await asyncio.sleep(0.005)
        self.muerte = time.monotonic()
        viejo = self.pila.matar(self.fallo)
        await asyncio.to_thread(self.pila.esperar_vuelta, self.fallo, viejo)
        self.vuelta = time.monotonic() - self.muerte

    def _fila(self, tipo: str, ops: list[Operacion], v: Verificacion) -> Fila:
        respuestas = Counter(estado for op in ops for estado in op.estados)
        finales = Counter(op.final for op in ops if op.resultado == "rechazada")
        despues = [
            op.respondida - self.muerte
            for op in ops
            if op.enviada >= self.muerte and op.resultado == "aplicada" and op.respondida
        ]
        return Fila(
            fallo=self.fallo,
            cliente=tipo,
            operaciones=len(ops),
            exitos=sum(op.resultado == "aplicada" for op in ops),
            confirmadas=sum(op.resultado == "confirmada" for op in ops),
            conflictos=finales[409],
            otros_4xx=sum(n for estado, n in finales.items() if estado != 409),
            respuestas_503=respuestas[503],
            otros_5xx=sum(n for e, n in respuestas.items() if e is not None and e >= 500 and e != 503),
            sin_respuesta=sum(op.resultado == "desconocido" for op in ops),
            perdidas=len(v.perdidas),
            duplicadas=len(v.duplicadas),
            escritas_rechazadas=len(v.escritas_rechazadas),
            divergentes=len(v.divergentes),
            no_verificables=len(v.no_verificables),
            tardias=v.tardias,
            reparados=v.reparados,
            tras_reparar=len(v.tras_reparar),
            en_vuelo=sum(
                op.enviada < self.muerte and (op.respondida is None or op.respondida > self.muerte)
                for op in ops
            ),
            vuelta=self.vuelta,
            primer_2xx=min(despues, default=None),
            detalle=v,
            ops=ops,
        )


COLUMNAS = (
    ("fault", "fallo"),
    ("client", "cliente"),
    ("ops", "operaciones"),
    ("2xx", "exitos"),
    ("confirmed", "confirmadas"),
    ("409", "conflictos"),
    ("other 4xx", "otros_4xx"),
    ("503s", "respuestas_503"),
    ("other 5xx", "otros_5xx"),
    ("unknown", "sin_respuesta"),
    ("lost", "perdidas"),
    ("duplicated", "duplicadas"),
    ("4xx yet written", "escritas_rechazadas"),
    ("diverged", "divergentes"),
    ("unchecked", "no_verificables"),
    ("repaired", "reparados"),
    ("in flight at kill", "en_vuelo"),
    ("back s", "vuelta"),
    ("first 2xx s", "primer_2xx"),
)


def tabla(filas: list[Fila]) -> str:
    def celda(valor: object) -> str:
        if valor is None:
            return "-"
        return f"{valor:.1f}" if isinstance(valor, float) else str(valor)

    lineas = ["| " + " | ".join(t for t, _ in COLUMNAS) + " |", "|" + "---|" * len(COLUMNAS)]
    lineas += ["| " + " | ".join(celda(getattr(f, a)) for _, a in COLUMNAS) + " |" for f in filas]
    return "\n".join(lineas)


def pormenores(filas: list[Fila], cuantos: int = 10) -> str:
    """What went wrong, row by row (the first `cuantos` of each kind), for the report."""
    lineas = []
    for f in filas:
        v = f.detalle
        for nombre, cosas in (
            ("lost", v.perdidas),
            ("duplicated", v.duplicadas),
            ("refused yet written", v.escritas_rechazadas),
            ("diverged", [f"{i}: {d}" for i, d in v.divergentes.items()]),
            ("unchecked", [f"{i}: {d}" for i, d in v.no_verificables.items()]),
            ("still diverged after repair", [f"{i}: {d}" for i, d in v.tras_reparar.items()]),
            (
                "odd answer",
                [f"{n} x {r}" for r, n in sorted(Counter(r for o in f.ops for r in o.raras).items())],
            ),
        ):
            for cosa in cosas[:cuantos]:
                lineas.append(f"{f.fallo}/{f.cliente} {nombre}: {cosa}")
    return "\n".join(lineas)
