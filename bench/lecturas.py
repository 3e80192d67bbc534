"""Benchmark of the pendiente lists over a big table, on a database of its own (no `make run` needed).

    .venv/bin/python -m bench.lecturas [--filas 100000] [--datos /tmp/pendientes-bench-lecturas]

It starts an embedded Postgres (pgserver) in `--datos`, creates the database `lecturas_<filas>` once
(migrated, the demo's reference data, 20 technicians, ~20k clients with names and `--filas` pendientes
spread over a year: states, lugares, types, priorities, SLA, labels), and reuses it on later runs (only
new migrations are applied, then ANALYZE). Then it serves the real API with uvicorn on a free port and,
for every list of the board,
  http   GET /api/pendientes?...: token check, user reload, count, page, labels, JSON
  cpu    the API process's CPU time per request over those requests (/proc/<pid>/stat)
  sql    the SQL statements that same list runs (captured from the service, replayed with psycopg in
         autocommit, as the API's read-only routes send them)
prints p50 / p95 of both and their ratio (sql / http: 1.0 means HTTP adds nothing), and each plan's
node types, flagging a sequential scan on pendientes. The board's columns are measured too: GET /tablero
(the HTML page) against the SQL of `por_estado`. Figures, not assertions.

`filas(args)` gives the same figures as rows of `python -m bench`'s table (bench/__main__.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import event

from api.tablero.sesion import COOKIE_SESION
from infra.local import esperar_puerto, iniciar_postgres, url_de_base
from ops.demo import PASSWORD_DEMO

COORDINADORA, TECNICO = "10000002", "10000006"
CLIENTES = 20_000
TECNICOS_EXTRA = 18  # plus the demo's two
NOMBRES = [
    "Rosa",
    "Carmen",
    "Julio",
    "Lucia",
    "Marco",
    "Edwin",
    "Wilber",
    "Nilda",
    "Teofila",
    "Juana",
    "Mario",
    "Elena",
    "Pedro",
    "Ana",
    "Luis",
    "Maria",
    "Jose",
    "Felix",
    "Nancy",
    "Hilda",
    "Raul",
    "Celia",
    "Hugo",
    "Ruth",
    "Dario",
    "Olga",
    "Ivan",
    "Sonia",
    "Abel",
    "Flor",
]
APELLIDOS = [
    "Quispe",
    "Mamani",
    "Condori",
    "Apaza",
    "Choque",
    "Flores",
    "Ccama",
    "Pari",
    "Coaquira",
    "Calla",
    "Yupanqui",
    "Vilca",
    "Larico",
    "Huanca",
    "Ticona",
    "Cutipa",
    "Chambi",
    "Ramos",
    "Pacho",
    "Yucra",
    "Turpo",
    "Machaca",
    "Zapana",
    "Arias",
    "Cruz",
    "Luque",
    "Chura",
    "Vargas",
    "Aguilar",
    "Sucasaca",
]
CALLES = [
    "Tacna",
    "Lima",
    "Arequipa",
    "Moquegua",
    "Puno",
    "Cusco",
    "Deustua",
    "Lampa",
    "Azangaro",
    "Huancane",
    "Ayacucho",
    "Libertad",
    "Grau",
    "Bolognesi",
    "Titicaca",
    "Independencia",
    "Circunvalacion",
    "Simon-Bolivar",
    "Los-Incas",
    "Kennedy",
]


def _arr(valores: list[str] | tuple[str, ...]) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in valores) + "]"


# One pendiente in ~12 is open (created in the last 30 days); older ones are closed. Deterministic.
SIEMBRA = f"""
SELECT setseed(0.42);
INSERT INTO empleados (nombre, apellido_paterno, cargo_id, fecha_ingreso)
SELECT 'Tecnico', 'Bench ' || g, (SELECT cargo_id FROM empleados WHERE id = %(tecnico)s), date '2024-01-01'
FROM generate_series(1, {TECNICOS_EXTRA}) g;

INSERT INTO clientes
    (tipo_cliente, nombre, tipo_documento, numero_documento, codigo_cliente, direccion, telefono)
SELECT 'PERSONA',
       n[1 + floor(random() * 30)::int] || ' ' || a[1 + floor(random() * 30)::int] || ' '
         || a[1 + floor(random() * 30)::int],
       'DNI', (40000000 + g)::text, 'BCH' || lpad(g::text, 6, '0'),
       'Jr. ' || c[1 + floor(random() * 20)::int] || ' ' || (1 + floor(random() * 900)::int) || ', '
         || (ARRAY['Juliaca', 'Puno', 'Ilave', 'Juli', 'Acora'])[1 + floor(random() * 5)::int],
       '9' || lpad((floor(random() * 1e8))::bigint::text, 8, '0')
FROM generate_series(1, {CLIENTES}) g, (SELECT {_arr(NOMBRES)} n, {_arr(APELLIDOS)} a, {_arr(CALLES)} c) x;

CREATE TEMP TABLE t_tecnicos AS
  SELECT array_agg(id ORDER BY id) ids FROM empleados
  WHERE id = ANY(%(tecnicos)s) OR apellido_paterno LIKE 'Bench %%';

INSERT INTO pendientes (fecha_creacion, fecha_modificacion, fecha_pendiente, registrado_por, asignado_a,
    estado, estado_tecnico, lugar, empresa, prioridad, direccion, tipo, cliente_id, vencido, seq,
    estado_sla, sla_plazo_seg, sla_consumido_seg, sla_vence, sla_nivel, vigente)
SELECT creado, creado + interval '1 hour', creado + random() * interval '7 days',
       (%(registradores)s::bigint[])[1 + floor(random() * 3)::int],
       CASE WHEN estado = 'REGISTRADO' THEN NULL
            ELSE tec[1 + floor(random() * array_length(tec, 1))::int] END,
       estado, CASE WHEN estado = 'EN_PROGRESO' AND random() < 0.2 THEN 'PENDIENTE_PPPoE' ELSE 'OK' END,
       CASE WHEN r1 < 0.35 THEN 'JULIACA' WHEN r1 < 0.65 THEN 'PUNO'
            ELSE (ARRAY['ZONA_RURAL','CHUCUITO','PLATERIA','ACORA','ILAVE','JULI','POMATA','CHACACHACA',
                        'YONGUYO','ZEPITA','DESAGUADERO'])[1 + floor(random() * 11)::int] END,
       CASE WHEN r2 < 0.6 THEN 'SIMAX' WHEN r2 < 0.95 THEN 'WINEX' ELSE 'OTRO' END,
       (ARRAY['BAJA','MEDIA','URGENTE','MUY_URGENTE'])[1 + floor(random() * 4)::int],
       'Jr. ' || (SELECT {_arr(CALLES)})[1 + floor(random() * 20)::int] || ' '
         || (1 + floor(random() * 900)::int),
       CASE WHEN r3 < 0.45 THEN 'AVERIA' WHEN r3 < 0.7 THEN 'INSTALACION_INTERNET'
            WHEN r3 < 0.8 THEN 'INSTALACION_CAMARAS' WHEN r3 < 0.9 THEN 'RECOJO_DISPOSITIVOS'
            ELSE 'TRASLADO' END,
       %(primer_cliente)s + floor(random() * {CLIENTES})::int,
       abierto AND creado < now() - interval '7 days', 3,
       CASE WHEN r4 < 0.75 THEN 'EN_PLAZO' WHEN r4 < 0.85 AND abierto THEN 'EN_RIESGO' ELSE 'INCUMPLIDO' END,
       86400, 3600, CASE WHEN abierto THEN creado + interval '3 days' END, 0,
       random() > 0.01
FROM (
  SELECT g, random() r1, random() r2, random() r3, random() r4, creado,
         creado > now() - interval '30 days' abierto,
         CASE WHEN creado <= now() - interval '30 days'
              THEN CASE WHEN random() < 0.92 THEN 'FINALIZADO' ELSE 'CANCELADO' END
              ELSE (ARRAY['REGISTRADO','REGISTRADO','ASIGNADO','ASIGNADO','ASIGNADO','EN_PROGRESO',
                          'EN_PROGRESO','PAUSADO','REVISION','POR_VALIDAR','OBSERVADO','POSTERGADO','FINALIZADO','FINALIZADO',
                          'CANCELADO'])[1 + floor(random() * 15)::int] END estado
  FROM (SELECT g, now() - random() * interval '365 days' creado FROM generate_series(1, %(filas)s) g) s
) p, t_tecnicos t(tec);

INSERT INTO etiquetas (nombre) VALUES ('Bench zona norte'), ('Bench cliente VIP'), ('Bench reincidente');
INSERT INTO pendiente_etiquetas (pendiente_id, etiqueta_id)
SELECT p.id, e.id FROM pendientes p JOIN etiquetas e ON e.nombre LIKE 'Bench %%'
WHERE random() < 0.02;
"""


@contextmanager
def _postgres(datos: Path) -> Iterator[str]:
    servidor = iniciar_postgres(datos)
    try:
        yield servidor.get_uri()
    finally:
        servidor.cleanup()


async def _referencia(url: str) -> None:
    from db.engine import make_engine, make_session_factory
    from ops.demo import cargar_referencia

    engine = make_engine(url, pool_size=2)
    await cargar_referencia(make_session_factory(engine))
    await engine.dispose()


def _preparar(url_servidor: str, filas: int) -> str:
    """The database of `filas` pendientes, seeded once; migrations applied and statistics fresh."""
    from db.migrate import upgrade

    nombre = f"lecturas_{filas}"
    with psycopg.connect(url_servidor, autocommit=True) as conn:
        existe = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (nombre,)).fetchone()
        if not existe:
            conn.execute(f'CREATE DATABASE "{nombre}"')
    url = url_de_base(url_servidor, nombre)
    upgrade(url)
    with psycopg.connect(url) as conn:
        sembrada = conn.execute("SELECT count(*) FROM pendientes").fetchone()[0]
    if not sembrada:
        print(f"seeding {filas:,} pendientes and {CLIENTES:,} clients ...", flush=True)
        inicio = time.perf_counter()
        asyncio.run(_referencia(url))
        with psycopg.connect(url) as conn:
            ids = dict(conn.execute("SELECT u.dni, u.empleado_id FROM usuarios u").fetchall())
            primer = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM clientes").fetchone()[0]
            parametros = {
                "tecnico": ids[TECNICO],
                "tecnicos": [ids["10000006"], ids["10000007"]],
                "registradores": [ids["10000001"], ids["10000002"], ids["10000004"]],
                "primer_cliente": primer,
                "filas": filas,
            }
            for sentencia in SIEMBRA.split(";\n"):
                if sentencia.strip():
                    conn.execute(sentencia, parametros)
        print(f"seeded in {time.perf_counter() - inicio:.0f} s", flush=True)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return url


# -- The lists ---------------------------------------------------------------------------------------


@dataclass
class Caso:
    nombre: str
    quien: str  # dni
    params: dict[str, Any] = field(default_factory=dict)
    ruta: str = "/api/pendientes"


TABLERO = "/tablero"


def _casos() -> list[Caso]:
    hoy = date.today()
    semana = {
        "fechaDesde": (hoy - timedelta(days=60)).isoformat(),
        "fechaHasta": (hoy - timedelta(days=54)).isoformat(),
    }
    return [
        Caso("default list", COORDINADORA),
        Caso("technician's list", TECNICO),
        Caso("page 500", COORDINADORA, {"page": 500}),
        Caso("estado+lugar", COORDINADORA, {"estados": ["ASIGNADO", "EN_PROGRESO"], "lugar": "JULIACA"}),
        Caso("date range (a week)", COORDINADORA, semana),
        Caso("text: a client's name", COORDINADORA, {"texto": "Apaza Huanca"}),
        Caso("text: a street", COORDINADORA, {"texto": "jr. kennedy 31"}),
        Caso("estadoSla=INCUMPLIDO", COORDINADORA, {"estadoSla": "INCUMPLIDO", "estados": ["ASIGNADO"]}),
        Caso("board columns (/tablero)", COORDINADORA, ruta=TABLERO),
        Caso("technician's board", TECNICO, ruta=TABLERO),
    ]


def _consulta_http(params: dict[str, Any]) -> list[tuple[str, str]]:
    pares = [("size", "20")]
    for clave, valor in params.items():
        pares.append((clave, ",".join(valor) if isinstance(valor, list) else str(valor)))
    return pares


async def _sql_de(url: str, token: str, caso: Caso) -> list[tuple[str, Any]]:
    """The statements `GET /api/pendientes` runs for this list (the service itself, captured), minus the
    caller's reload, which is the token check's and not the list's. For the board: its columns'
    (`por_estado`), without the filter menus' lists."""
    from api.comun.deps import usuario_de_token
    from api.comun.paginacion import ParametrosPagina
    from api.pendientes.esquemas import FiltroPendienteRequest
    from api.pendientes.servicio import listar_pendientes, por_estado
    from api.tablero.rutas_tablero import POR_COLUMNA
    from db.engine import make_engine, make_session_factory
    from infra.config import Settings

    engine = make_engine(url, pool_size=1)
    settings = Settings(jwt_secret=os.environ["JWT_SECRET"], secrets_key=os.environ["SECRETS_KEY"])
    capturadas: list[tuple[str, Any]] = []
    async with make_session_factory(engine)() as session:
        usuario = await usuario_de_token(session, settings, token)
        event.listen(engine.sync_engine, "before_cursor_execute", lambda *a: capturadas.append((a[2], a[3])))
        filtro = FiltroPendienteRequest.model_validate({k: v for k, v in caso.params.items() if k != "page"})
        if caso.ruta == TABLERO:
            await por_estado(session, filtro, usuario, POR_COLUMNA)
        else:
            pagina = ParametrosPagina(caso.params.get("page", 0), 20, None)
            await listar_pendientes(session, filtro, pagina, usuario)
    await engine.dispose()
    return capturadas


def _p(latencias: list[float], q: int) -> float:
    return statistics.quantiles(latencias, n=100, method="inclusive")[q - 1]


def _nodos(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for hijo in plan.get("Plans", []):
        yield from _nodos(hijo)


def _plan(conn: psycopg.Connection, sentencias: list[tuple[str, Any]]) -> str:
    tipos: list[str] = []
    for sql, parametros in sentencias:
        plan = conn.execute("EXPLAIN (FORMAT JSON) " + sql, parametros).fetchone()[0][0]["Plan"]
        for nodo in _nodos(plan):
            tipo = nodo["Node Type"]
            if tipo == "Seq Scan" and nodo.get("Relation Name") == "pendientes":
                tipo = "**Seq Scan pendientes**"
            elif "Relation Name" in nodo and "Scan" in tipo:
                tipo += f" {nodo['Relation Name']}"
            if tipo not in tipos:
                tipos.append(tipo)
    return ", ".join(tipos)


def _sql(conn: psycopg.Connection, sentencias: list[tuple[str, Any]], veces: int) -> list[float]:
    """`conn` in autocommit, as the API's read-only routes send their statements (no BEGIN, no ROLLBACK)."""
    latencias = []
    for _ in range(veces):
        inicio = time.perf_counter()
        for sql, parametros in sentencias:
            conn.execute(sql, parametros).fetchall()
        latencias.append((time.perf_counter() - inicio) * 1000)
    return latencias


def _cpu_ms(pid: int) -> float:
    """CPU time (user + system) the process has used so far, in ms."""
    campos = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(campos[11]) + int(campos[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _http(http: httpx.Client, token: str, caso: Caso, veces: int) -> tuple[list[float], int]:
    """`veces` sequential requests (the board's with its session cookie, which holds the same token)."""
    latencias, total = [], 0
    cabeceras = {"Authorization": f"Bearer {token}"}
    if caso.ruta == TABLERO:
        cabeceras = {"Cookie": f"{COOKIE_SESION}={token}"}
    for _ in range(veces):
        inicio = time.perf_counter()
        r = http.get(caso.ruta, params=_consulta_http(caso.params), headers=cabeceras)
        latencias.append((time.perf_counter() - inicio) * 1000)
        r.raise_for_status()
        if caso.ruta == TABLERO:
            total = int(re.search(r'class="resumen">(\d+) pendientes', r.text).group(1))
        elif caso.ruta == "/api/pendientes":
            total = r.json()["data"].get("totalElements", 0)
    return latencias, total


@dataclass
class Api:
    base: str
    pid: int


@contextmanager
def _api(url: str, puerto: int) -> Iterator[Api]:
    from infra.seguridad import generar_fernet_key, generar_jwt_secret

    os.environ.setdefault("JWT_SECRET", generar_jwt_secret())
    os.environ.setdefault("SECRETS_KEY", generar_fernet_key())
    entorno = os.environ | {
        "DATABASE_URL": url,
        "TEMPORAL_ADDRESS": "127.0.0.1:1",  # lazy client: the lists never reach Temporal
        "DEMO_DATA": "false",
    }
    comando = [
        sys.executable,
        "-m",
        "uvicorn",
        "api.main:app",
        "--port",
        str(puerto),
        "--log-level",
        "warning",
    ]
    proceso = subprocess.Popen(comando, env=entorno)
    try:
        esperar_puerto(puerto, 60, proceso)
        yield Api(f"http://127.0.0.1:{puerto}", proceso.pid)
    finally:
        proceso.terminate()
        proceso.wait(10)


@dataclass
class Medida:
    caso: Caso
    total: int
    http: list[float]
    sql: list[float]
    plan: str
    cpu: float  # ms of the API process's CPU per request (the sequential ones)


def medir(args: argparse.Namespace) -> tuple[list[Medida], Medida]:
    """Every list (and the board) through HTTP and as raw SQL, and the floor of an authenticated read."""
    with _postgres(Path(args.datos)) as servidor:
        url = _preparar(servidor, args.filas)
        with _api(url, args.puerto) as api, httpx.Client(base_url=api.base, timeout=60) as http:
            tokens = {}
            for dni in (COORDINADORA, TECNICO):
                r = http.post("/auth", json={"dni": dni, "password": PASSWORD_DEMO})
                r.raise_for_status()
                tokens[dni] = r.json()["data"]["token"]
            medidas = []
            with psycopg.connect(url, autocommit=True) as conn:
                for caso in _casos():
                    sentencias = asyncio.run(_sql_de(url, tokens[caso.quien], caso))
                    _http(http, tokens[caso.quien], caso, 5)  # warm-up
                    _sql(conn, sentencias, 5)
                    cpu = _cpu_ms(api.pid)
                    lat_http, total = _http(http, tokens[caso.quien], caso, args.veces)
                    cpu = (_cpu_ms(api.pid) - cpu) / args.veces
                    lat_sql = _sql(conn, sentencias, args.veces)
                    medidas.append(Medida(caso, total, lat_http, lat_sql, _plan(conn, sentencias), cpu))
            # The floor of any read: token check, user reload, envelope; no list at all.
            caso = Caso("floor: GET /api/pendientes/filtros", COORDINADORA, ruta="/api/pendientes/filtros")
            _http(http, tokens[COORDINADORA], caso, 5)
            cpu = _cpu_ms(api.pid)
            piso, _ = _http(http, tokens[COORDINADORA], caso, args.veces)
            cpu = (_cpu_ms(api.pid) - cpu) / args.veces
    return medidas, Medida(caso, 0, piso, [], "", cpu)


def main(args: argparse.Namespace) -> None:
    medidas, piso = medir(args)
    _tabla(args, medidas, piso)


def filas(args: argparse.Namespace) -> list[tuple[str, str, str, float | None]]:
    """The reads as rows of `python -m bench`'s table: (figure, product = HTTP p50, baseline = the same
    SQL's p50, baseline / product). Runs on that command's arguments: the options of this module that
    it lacks take their defaults here (100,000 rows, 60 requests per list)."""
    opciones = argparse.Namespace(**(vars(_parser().parse_args([])) | {"veces": 60} | vars(args)))
    medidas, piso = medir(opciones)
    escala = f"{opciones.filas // 1000}k" if opciones.filas < 1_000_000 else f"{opciones.filas // 1_000_000}M"
    resultado: list[tuple[str, str, str, float | None]] = []
    for md in medidas:
        h50, s50 = _p(md.http, 50), _p(md.sql, 50)
        figura = f"list {escala}: {md.caso.nombre} ({md.total:,} rows) p50 ms"
        producto = f"{h50:.1f} (p95 {_p(md.http, 95):.1f}; API CPU {md.cpu:.1f} ms/request)"
        resultado.append((figura, producto, f"{s50:.1f}", s50 / h50))
    figura = f"list {escala}: floor, an authenticated read without SQL p50 ms"
    producto = f"{_p(piso.http, 50):.1f} (p95 {_p(piso.http, 95):.1f}; API CPU {piso.cpu:.1f} ms/request)"
    resultado.append((figura, producto, "—", None))
    return resultado


def _tabla(args: argparse.Namespace, medidas: list[Medida], piso: Medida) -> None:
    carga = "/".join(f"{c:.1f}" for c in os.getloadavg())
    cabecera = f"{args.filas:,} pendientes, {args.veces} sequential requests each"
    print(f"\n{cabecera}; nproc {os.cpu_count()}; load average {carga}")
    print(
        "\n| list | rows | http p50 ms | http p95 ms | API CPU ms/request | sql p50 ms | sql p95 ms "
        "| sql / http (p50) | plan |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for md in medidas:
        h50, s50 = _p(md.http, 50), _p(md.sql, 50)
        print(
            f"| {md.caso.nombre} | {md.total:,} | {h50:.1f} | {_p(md.http, 95):.1f} | {md.cpu:.1f} | "
            f"{s50:.1f} | {_p(md.sql, 95):.1f} | {s50 / h50:.2f} | {md.plan} |"
        )
    piso50, piso95 = _p(piso.http, 50), _p(piso.http, 95)
    print(
        f"| floor: an authenticated read without SQL (GET /api/pendientes/filtros) | | {piso50:.1f} | "
        f"{piso95:.1f} | {piso.cpu:.1f} | | | | |"
    )
    if args.json:
        datos = [{"list": md.caso.nombre, "http": md.http, "sql": md.sql} for md in medidas]
        Path(args.json).write_text(json.dumps(datos))


def _parser() -> argparse.ArgumentParser:
    formato = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formato)
    parser.add_argument("--filas", type=int, default=100_000, help="pendientes in the table")
    parser.add_argument("--datos", default="/tmp/pendientes-bench-lecturas", help="Postgres data directory")
    parser.add_argument("--veces", type=int, default=100, help="sequential requests per list and path")
    parser.add_argument("--puerto", type=int, default=8765, help="port for the API under test")
    parser.add_argument("--json", help="also write the raw latencies here")
    return parser


if __name__ == "__main__":
    main(_parser().parse_args())
