"""The load: pendientes created through the API, then concurrent callers taking legal lifecycle actions
on them, each action marked with a unique operation id (its `motivo`, and for keyed clients also its
Idempotency-Key), and every answer recorded with the time it came.

Two kinds of client:
  con_clave  sends an Idempotency-Key and resends the same request with the same key after a 503, a 5xx
             or a broken connection, until a definite answer (2xx or 4xx) or its deadline.
  sin_clave  what a screen does: no key; a 2xx or 4xx is the answer; after a 503 it asks the product's
             `data.resultado` (GET /api/pendientes/{id}/cambios/{clave}) a few times and believes it; a
             broken connection is an unknown outcome. It never resends: the user looks at the pendiente
             again (GET /acciones) and chooses anew.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from domain.zona import LIMA
from ops.demo import PASSWORD_DEMO

ADMIN, COORDINADORA, ASESOR, RED = "10000001", "10000002", "10000003", "10000008"
TECNICOS = ("10000006", "10000007")
CON_CLAVE, SIN_CLAVE = "con_clave", "sin_clave"

# The actions the load takes, and who takes each (technician actions: the pendiente's own technician).
# They form a loop with no end state: work, pause, finish, get observed, resume; postergar brings a
# pendiente back by itself a few seconds later (a durable timer, on the restarted server too).
QUIEN = {
    "comenzar": "tecnico",
    "pausar": "tecnico",
    "continuar": "tecnico",
    "terminar": "tecnico",
    "solicitar_revision": "tecnico",
    "retomar": "tecnico",
    "pedir_vlan": "tecnico",
    "observar": ASESOR,
    "validar": ASESOR,
    "postergar": COORDINADORA,
    "configurar_vlan": RED,
}
POSTERGAR_SEGUNDOS = 4
PAUSA_TRAS_FALLO = 0.5  # a caller (or a user) waits a moment after an error before going on
CONSULTAS_RESULTADO = 5  # times a sin_clave client asks data.resultado after a 503, one second apart


@dataclass
class Operacion:
    """One action a caller decided to take, and everything it was answered."""

    id: str
    tipo: str
    pendiente_id: int
    accion: str
    enviada: float
    estados: list[int | None] = field(default_factory=list)  # None: no HTTP answer
    resultado: str = "desconocido"  # aplicada | confirmada | rechazada | desconocido
    final: int | None = None  # the status of the last answer
    respondida: float | None = None  # when the definite answer came
    raras: list[str] = field(default_factory=list)  # 5xx other than 503, 4xx other than 409: status + message


@dataclass
class Sesion:
    """Tokens of the demo users and the technicians' empleado ids."""

    tokens: dict[str, str]
    empleados: dict[str, int]

    def cabecera(self, dni: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[dni]}"}


async def iniciar_sesion(http: httpx.AsyncClient) -> Sesion:
    tokens, empleados = {}, {}
    for dni in (ADMIN, COORDINADORA, ASESOR, RED, *TECNICOS):
        r = await http.post("/auth", json={"dni": dni, "password": PASSWORD_DEMO})
        r.raise_for_status()
        tokens[dni] = r.json()["data"]["token"]
    for dni in TECNICOS:
        r = await http.get("/api/usuarios/usuario", headers={"Authorization": f"Bearer {tokens[dni]}"})
        r.raise_for_status()
        empleados[dni] = r.json()["data"]["empleado"]["id"]
    return Sesion(tokens, empleados)


async def sembrar(
    http: httpx.AsyncClient, sesion: Sesion, cuantos: int, prefijo: str, clientes: list[int]
) -> dict[int, str]:
    """`cuantos` fresh AVERIA pendientes, each assigned to one of the two technicians (alternating);
    returns {pendiente id: technician dni}. Created before any fault, with keys, so a slow answer is
    retried safely."""
    fecha = (datetime.now(LIMA) + timedelta(days=3)).replace(microsecond=0).isoformat()
    coordinadora = sesion.cabecera(COORDINADORA)
    limite = asyncio.Semaphore(8)

    async def uno(n: int) -> tuple[int, str]:
        cuerpo = {
            "clienteId": clientes[n % len(clientes)],
            "tipo": "AVERIA",
            "lugar": "PUNO",
            "prioridad": "MEDIA",
            "fechaPendiente": fecha,
            "detalle": {"descripcionFalla": f"{prefijo}: sin servicio ({n})"},
        }
        tecnico = TECNICOS[n % 2]
        async with limite:
            clave = {"Idempotency-Key": f"{prefijo}-alta-{n}"}
            r = await _insistir(
                lambda: http.post("/api/pendientes", json=cuerpo, headers=coordinadora | clave)
            )
            pendiente_id = r.json()["data"]["id"]
            ruta = f"/api/pendientes/{pendiente_id}/asignar?idAsignado={sesion.empleados[tecnico]}"
            clave = {"Idempotency-Key": f"{prefijo}-asignar-{n}"}
            await _insistir(lambda: http.put(ruta, headers=coordinadora | clave))
        return pendiente_id, tecnico

    return dict(await asyncio.gather(*(uno(n) for n in range(cuantos))))


async def _insistir(enviar, intentos: int = 20) -> httpx.Response:
    """The same keyed request until a 2xx (set-up must not fail on a slow moment)."""
    for _ in range(intentos - 1):
        try:
            r = await enviar()
            if r.is_success:
                return r
            if r.status_code < 500:
                r.raise_for_status()
        except httpx.TransportError:
            pass
        await asyncio.sleep(PAUSA_TRAS_FALLO)
    r = await enviar()
    r.raise_for_status()
    return r


@dataclass
class Carga:
    """Callers of one kind over their own pendientes, sharing a budget of operations."""

    http: httpx.AsyncClient
    sesion: Sesion
    tipo: str
    pendientes: dict[int, str]  # id -> technician dni
    operaciones: int
    llamadores: int
    prefijo: str
    plazo: float  # monotonic instant after which no new operation starts
    espera_operacion: float  # how long a con_clave operation keeps resending
    semilla: int = 0
    hechas: list[Operacion] = field(default_factory=list)
    en_vuelo: int = 0  # POSTs sent and not answered yet
    _restantes: int = 0

    async def correr(self) -> list[Operacion]:
        self._restantes = self.operaciones
        await asyncio.gather(*(self._llamador(n) for n in range(self.llamadores)))
        return self.hechas

    async def _llamador(self, n: int) -> None:
        azar = random.Random(f"{self.semilla}-{self.prefijo}-{self.tipo}-{n}")
        ids = sorted(self.pendientes)
        secuencia = 0
        while self._restantes > 0 and time.monotonic() < self.plazo:
            pendiente_id = azar.choice(ids)
            accion = await self._elegir(pendiente_id, azar)
            if accion is None:
                continue
            if self._restantes <= 0:
                return
            self._restantes -= 1
            secuencia += 1
            op = Operacion(
                id=f"{self.prefijo}-{self.tipo}-{n}-{secuencia}",
                tipo=self.tipo,
                pendiente_id=pendiente_id,
                accion=accion,
                enviada=time.monotonic(),
            )
            self.hechas.append(op)
            if self.tipo == CON_CLAVE:
                await self._con_clave(op)
            else:
                await self._sin_clave(op)
            if op.resultado == "desconocido":
                await asyncio.sleep(PAUSA_TRAS_FALLO)

    async def _elegir(self, pendiente_id: int, azar: random.Random) -> str | None:
        """An action the pendiente allows now (as the screen shows them), among those of the load."""
        try:
            r = await self.http.get(
                f"/api/pendientes/{pendiente_id}/acciones", headers=self.sesion.cabecera(ADMIN)
            )
        except httpx.TransportError:
            await asyncio.sleep(PAUSA_TRAS_FALLO)
            return None
        if not r.is_success:
            await asyncio.sleep(PAUSA_TRAS_FALLO)
            return None
        posibles = [a for a in r.json()["data"]["acciones"] if a in QUIEN]
        if not posibles:
            await asyncio.sleep(0.05)  # e.g. postponed: it comes back by itself
            return None
        return azar.choice(sorted(posibles))

    def _peticion(self, op: Operacion) -> tuple[str, dict, dict[str, str]]:
        quien = QUIEN[op.accion]
        dni = self.pendientes[op.pendiente_id] if quien == "tecnico" else quien
        cuerpo: dict[str, object] = {"motivo": op.id}
        if op.accion == "postergar":
            cuando = datetime.now(LIMA) + timedelta(seconds=POSTERGAR_SEGUNDOS)
            cuerpo["nuevaFecha"] = cuando.isoformat()
        elif op.accion == "configurar_vlan":
            cuerpo["vlan"] = 100 + op.pendiente_id % 3000
        ruta = f"/api/pendientes/{op.pendiente_id}/acciones/{op.accion}"
        return ruta, cuerpo, self.sesion.cabecera(dni)

    async def _enviar(self, op: Operacion, ruta: str, cuerpo: dict, cabeceras: dict) -> httpx.Response | None:
        self.en_vuelo += 1
        try:
            r = await self.http.post(ruta, json=cuerpo, headers=cabeceras)
        except httpx.TransportError:
            op.estados.append(None)
            return None
        finally:
            self.en_vuelo -= 1
        op.estados.append(r.status_code)
        if r.status_code >= 400 and r.status_code not in (409, 503):
            op.raras.append(f"{r.status_code} {_mensaje(r)}")
        return r

    def _definitiva(self, op: Operacion, r: httpx.Response) -> bool:
        if r.status_code >= 500:
            return False
        op.final, op.respondida = r.status_code, time.monotonic()
        op.resultado = "aplicada" if r.is_success else "rechazada"
        return True

    async def _con_clave(self, op: Operacion) -> None:
        ruta, cuerpo, cabeceras = self._peticion(op)
        cabeceras = cabeceras | {"Idempotency-Key": op.id}
        limite = time.monotonic() + self.espera_operacion
        espera = PAUSA_TRAS_FALLO
        while True:
            r = await self._enviar(op, ruta, cuerpo, cabeceras)
            if r is not None and self._definitiva(op, r):
                return
            if r is not None:
                op.final = r.status_code
            if time.monotonic() + espera > limite:
                return
            await asyncio.sleep(espera)
            espera = min(espera * 2, 4)

    async def _sin_clave(self, op: Operacion) -> None:
        ruta, cuerpo, cabeceras = self._peticion(op)
        r = await self._enviar(op, ruta, cuerpo, cabeceras)
        if r is None:
            return
        if self._definitiva(op, r):
            return
        op.final = r.status_code
        datos = _datos(r)
        if r.status_code == 503 and isinstance(datos, dict) and datos.get("resultado"):
            await self._consultar(op, datos["resultado"], cabeceras)

    async def _consultar(self, op: Operacion, ruta: str, cabeceras: dict) -> None:
        """Ask whether the change went through, as the 503 said; 200 means applied."""
        for intento in range(CONSULTAS_RESULTADO):
            if intento:
                await asyncio.sleep(1)
            try:
                r = await self.http.get(ruta, headers=cabeceras)
            except httpx.TransportError:
                continue
            if r.status_code == 200:
                op.resultado, op.respondida = "confirmada", time.monotonic()
                return


def _mensaje(r: httpx.Response) -> str:
    try:
        return str(r.json().get("message"))[:160]
    except (ValueError, AttributeError):
        return r.text[:160]


def _datos(r: httpx.Response) -> object:
    try:
        return r.json().get("data")
    except ValueError:
        return None
