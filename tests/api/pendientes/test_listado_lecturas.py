"""The list's query shapes for big tables (revision 0010): a date range sorted on its own or walked in
creation order, and a technician's total counted in disjoint parts. Rows are inserted straight into
Postgres (the list reads nothing else) for a cliente of this module's own, and every expectation is the
same filter applied in Python to the rows inserted here."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from api.pendientes import servicio
from db import models as m
from tests.api.pendientes.acciones.conftest import LIMA


@dataclass(frozen=True)
class Fila:
    id: int
    creado: datetime
    dia: date  # fecha_pendiente, as a day in Lima
    registrado_por: int
    asignado_a: int | None
    vigente: bool


async def _empleado(sessions, dni: str) -> int:
    async with sessions() as s:
        return await s.scalar(select(m.Usuario.empleado_id).where(m.Usuario.dni == dni))


@pytest.fixture(scope="module")
async def filas(nuevo_cliente, sessions) -> tuple[int, date, dict[str, int], list[Fila]]:
    """150 pendientes of one cliente: scheduled over 60 days eleven years ago, created in an order
    unrelated to those days, registered and assigned by three people, a tenth deleted."""
    cliente = await nuevo_cliente()
    gente = {
        "coordinadora": await _empleado(sessions, "10000002"),
        "tecnico": await _empleado(sessions, "10000006"),
        "tecnico2": await _empleado(sessions, "10000007"),
    }
    azar = random.Random(14)
    inicio = datetime.now(LIMA).date() - timedelta(days=4000)
    ahora = datetime.now(UTC)
    nuevas = []
    for i in range(150):
        dia = inicio + timedelta(days=azar.randrange(60))
        nuevas.append(
            m.Pendiente(
                cliente_id=cliente,
                tipo="AVERIA",
                lugar="JULIACA",
                prioridad="MEDIA",
                estado="ASIGNADO",
                # A few share a creation instant: their order is by id.
                fecha_creacion=ahora - timedelta(minutes=azar.randrange(100)),
                fecha_pendiente=datetime.combine(dia, time(azar.choice([0, 12, 23])), LIMA),
                registrado_por=azar.choice([gente["coordinadora"], gente["tecnico"]]),
                asignado_a=azar.choice([None, gente["tecnico"], gente["tecnico2"]]),
                vigente=i % 10 != 0,
            )
        )
    async with sessions.begin() as s:
        s.add_all(nuevas)
        await s.flush()
        registro = [
            Fila(
                p.id,
                p.fecha_creacion,
                p.fecha_pendiente.astimezone(LIMA).date(),
                p.registrado_por,
                p.asignado_a,
                p.vigente,
            )
            for p in nuevas
        ]
    return cliente, inicio, gente, registro


def _en_orden(filas: list[Fila]) -> list[int]:
    """The list's default order: newest first, ties by id, newest first."""
    return [f.id for f in sorted(filas, key=lambda f: (f.creado, f.id), reverse=True)]


async def _todas(http, headers, params: dict) -> tuple[list[int], set[int]]:
    """Every page's ids, in order, and the totalElements each page announced."""
    ids, totales, pagina = [], set(), 0
    while True:
        r = await http.get("/api/pendientes", params=params | {"size": 20, "page": pagina}, headers=headers)
        assert r.status_code == 200, r.text
        datos = r.json()["data"]
        totales.add(datos["totalElements"])
        ids += [p["id"] for p in datos["content"]]
        if datos["last"]:
            return ids, totales
        pagina += 1


# 0: every range walks the creation order; the default: a range this small is sorted on its own.
@pytest.mark.parametrize("umbral", [servicio.RANGO_ORDENADO, 0], ids=["ordenado", "recorrido"])
async def test_un_rango_de_fechas_lejano_da_cada_pagina_en_orden_y_el_total_exacto(
    http, h, filas, monkeypatch, umbral
):
    monkeypatch.setattr(servicio, "RANGO_ORDENADO", umbral)
    cliente, inicio, _, registro = filas
    desde, hasta = inicio + timedelta(days=10), inicio + timedelta(days=40)
    params = {"clienteId": cliente, "fechaDesde": desde.isoformat(), "fechaHasta": hasta.isoformat()}

    ids, totales = await _todas(http, h["coordinadora"], params)

    esperadas = _en_orden([f for f in registro if f.vigente and desde <= f.dia <= hasta])
    assert len(esperadas) > 60  # several pages, so the pages and the count are both exercised
    assert ids == esperadas
    assert totales == {len(esperadas)}


async def test_un_dia_solo_lista_ese_dia(http, h, filas):
    cliente, inicio, _, registro = filas
    dia = inicio + timedelta(days=30)
    params = {"clienteId": cliente, "fechaPendiente": dia.isoformat()}

    ids, totales = await _todas(http, h["coordinadora"], params)

    esperadas = _en_orden([f for f in registro if f.vigente and f.dia == dia])
    assert ids == esperadas and totales == {len(esperadas)}


@pytest.mark.parametrize("rol", ["tecnico", "tecnico2"])
async def test_un_tecnico_ve_exactamente_lo_que_registro_o_tiene_y_su_total(http, h, filas, rol):
    cliente, _, gente, registro = filas
    yo = gente[rol]

    ids, totales = await _todas(http, h[rol], {"clienteId": cliente})

    suyas = [f for f in registro if f.vigente and yo in (f.registrado_por, f.asignado_a)]
    # Registered and held by the same technician: listed and counted once.
    assert rol == "tecnico2" or any(f.registrado_por == f.asignado_a == yo for f in suyas)
    assert ids == _en_orden(suyas)
    assert totales == {len(suyas)}


async def test_un_tecnico_con_un_rango_de_fechas_cuenta_solo_lo_suyo(http, h, filas):
    cliente, inicio, gente, registro = filas
    desde, hasta = inicio, inicio + timedelta(days=25)
    params = {"clienteId": cliente, "fechaDesde": desde.isoformat(), "fechaHasta": hasta.isoformat()}

    ids, totales = await _todas(http, h["tecnico"], params)

    suyas = [
        f
        for f in registro
        if f.vigente and gente["tecnico"] in (f.registrado_por, f.asignado_a) and desde <= f.dia <= hasta
    ]
    assert ids == _en_orden(suyas) and totales == {len(suyas)}


@pytest.mark.parametrize("por", ["texto", "clienteId"])
@pytest.mark.parametrize("rol", ["coordinadora", "tecnico"])
async def test_el_total_sale_con_la_pagina_y_es_exacto_en_cada_pagina(http, h, filas, sessions, rol, por):
    """The count comes in the statement that picks the page (a text search counts its matches in the
    same pass; other lists carry the count as a subquery): every page, the last one, and a page past
    the end announce the same exact total."""
    cliente, _, gente, registro = filas
    async with sessions() as s:
        nombre = await s.scalar(select(m.Cliente.nombre).where(m.Cliente.id == cliente))
    visibles = [
        f
        for f in registro
        if f.vigente and (rol == "coordinadora" or gente[rol] in (f.registrado_por, f.asignado_a))
    ]
    params = {"texto": nombre.upper()} if por == "texto" else {"clienteId": cliente}

    ids, totales = await _todas(http, h[rol], params)

    assert len(visibles) > 20  # more than a page: the count is not the page's length
    assert ids == _en_orden(visibles)
    assert totales == {len(visibles)}
    r = await http.get("/api/pendientes", params=params | {"size": 20, "page": 40}, headers=h[rol])
    assert r.json()["data"]["content"] == [] and r.json()["data"]["totalElements"] == len(visibles)
