"""The board's columns: each estado's count and its 50 most pressing cards (the nearest SLA deadline,
then the scheduled day, then the id), for the coordinator and for a technician who sees only what they
registered or hold. Rows are inserted straight into Postgres for a cliente whose name only they carry;
expectations are the same rule applied in Python to the rows inserted here."""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from db import models as m

POR_COLUMNA = 50  # as the board promises: "y N más: afina los filtros"


@dataclass(frozen=True)
class Fila:
    id: int
    estado: str
    vence: datetime | None
    dia: datetime | None
    registrado_por: int
    asignado_a: int | None
    vigente: bool


@pytest.fixture(scope="module")
async def escenario(sessions, demo) -> tuple[str, dict[str, int], list[Fila]]:
    nombre = f"Tablero {uuid.uuid4().hex[:12]}"
    async with sessions() as s:
        empleados = dict((await s.execute(select(m.Usuario.dni, m.Usuario.empleado_id))).all())
    gente = {"coordinadora": empleados["10000002"], "tecnico": empleados["10000006"]}
    otro = empleados["10000007"]
    azar = random.Random(7)
    ahora = datetime.now(UTC).replace(microsecond=0)
    # ASIGNADO overflows its column; the rest are a handful each.
    estados = ["ASIGNADO"] * 70 + ["REGISTRADO", "EN_PROGRESO", "POR_VALIDAR", "FINALIZADO"] * 6
    async with sessions.begin() as s:
        cliente = m.Cliente(
            tipo_cliente="PERSONA",
            nombre=nombre,
            tipo_documento="DNI",
            numero_documento=f"{uuid.uuid4().int % 10**8:08d}",
            codigo_cliente=f"TB{uuid.uuid4().hex[:10].upper()}",
        )
        s.add(cliente)
        await s.flush()
        nuevas = [
            m.Pendiente(
                cliente_id=cliente.id,
                tipo="AVERIA",
                lugar="PUNO",
                prioridad="MEDIA",
                estado=estado,
                # Ties on purpose: a few hours only, and NULLs, so the later keys decide.
                sla_vence=azar.choice([None, ahora + timedelta(hours=azar.randrange(4))]),
                fecha_pendiente=azar.choice([None, ahora + timedelta(days=azar.randrange(3))]),
                registrado_por=azar.choice([gente["coordinadora"], gente["tecnico"]]),
                asignado_a=azar.choice([None, gente["tecnico"], otro]),
                vigente=i % 9 != 0,
            )
            for i, estado in enumerate(estados)
        ]
        s.add_all(nuevas)
        await s.flush()
        filas = [
            Fila(p.id, p.estado, p.sla_vence, p.fecha_pendiente, p.registrado_por, p.asignado_a, p.vigente)
            for p in nuevas
        ]
    return nombre, gente, filas


def _columnas(html: str) -> dict[str, tuple[int, list[int]]]:
    """Each column of the page: (its count, its cards' ids in order)."""
    resultado = {}
    for estado, cuerpo in re.findall(r'data-estado="(\w+)">(.*?)</section>', html, re.S):
        conteo = int(re.search(r'<span class="conteo">(\d+)<', cuerpo).group(1))
        resultado[estado] = (conteo, [int(i) for i in re.findall(r'id="pendiente-(\d+)"', cuerpo)])
    return resultado


def _urgencia(f: Fila) -> tuple:
    """Nearest deadline first, then the nearest day, a missing one last; then the id."""
    lejos = datetime.max.replace(tzinfo=UTC)
    return (f.vence or lejos, f.dia or lejos, f.id)


@pytest.mark.parametrize("rol", ["coordinadora", "tecnico"])
async def test_cada_columna_cuenta_lo_visible_y_muestra_lo_mas_urgente(navegante, ingresar, escenario, rol):
    nombre, gente, filas = escenario
    await ingresar(rol)

    pagina = await navegante.get("/tablero", params={"texto": nombre})

    assert pagina.status_code == 200
    visibles = [f for f in filas if f.vigente]
    if rol == "tecnico":
        visibles = [f for f in visibles if gente[rol] in (f.registrado_por, f.asignado_a)]
    columnas = _columnas(pagina.text)
    for estado, (conteo, tarjetas) in columnas.items():
        suyas = sorted((f for f in visibles if f.estado == estado), key=_urgencia)
        assert conteo == len(suyas), estado
        assert tarjetas == [f.id for f in suyas[:POR_COLUMNA]], estado
    assert {f.estado for f in visibles} <= columnas.keys()
    assert f"{len(visibles)} pendientes" in pagina.text
    if rol == "coordinadora":
        assert columnas["ASIGNADO"][0] > POR_COLUMNA  # the cut at 50 is exercised
