"""Technicians and their own pendientes (product-decisions.md, Permissions): VER_DETALLE sees only what
the caller registered or is assigned to; EJECUTAR_TRABAJO acts only for the assigned technician. Another
technician gets 403 or 404, never the data, and nothing changes. The historial actor is always the
authenticated empleado, whatever the body says."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import select

from pendientes.db import models as m
from tests.conftest import auth


async def _empleado_de(sessions, dni: str) -> int:
    async with sessions() as s:
        return await s.scalar(select(m.Usuario.empleado_id).where(m.Usuario.dni == dni))


async def _estado(sessions, pendiente_id: int) -> tuple:
    async with sessions() as s:
        fila = await s.get(m.Pendiente, pendiente_id)
        historial = await s.scalars(select(m.Historial.id).where(m.Historial.pendiente_id == pendiente_id))
        return fila.estado, fila.estado_tecnico, fila.asignado_a, fila.seq, len(list(historial))


@pytest.fixture(scope="module")
async def asignado(http, tokens, sessions) -> int:
    """A pendiente registered by the coordinadora and assigned to the first demo technician."""
    async with sessions() as s:
        cliente = await s.scalar(select(m.Cliente.id).where(m.Cliente.codigo_cliente == "CLI000004"))
    alta = {"clienteId": cliente, "tipo": "AVERIA", "lugar": "ILAVE", "prioridad": "URGENTE",
            "detalle": {"descripcionFalla": "Sin señal"}}  # fmt: skip
    coordinadora = auth(tokens["coordinadora"])
    creado = await http.post("/api/pendientes", json=alta, headers=coordinadora)
    assert creado.status_code == 201, creado.text
    pendiente_id = creado.json()["data"]["id"]
    tecnico = await _empleado_de(sessions, "10000006")
    r = await http.post(
        f"/api/pendientes/{pendiente_id}/acciones/asignar", json={"tecnicoId": tecnico}, headers=coordinadora
    )
    assert r.status_code == 200, r.text
    return pendiente_id


async def test_el_tecnico_asignado_ve_y_actua(http, tokens, asignado):
    propio = auth(tokens["tecnico"])
    assert (await http.get(f"/api/pendientes/{asignado}", headers=propio)).status_code == 200
    acciones = (await http.get(f"/api/pendientes/{asignado}/acciones", headers=propio)).json()["data"]
    assert "comenzar" in acciones["acciones"]


@pytest.mark.parametrize(
    ("metodo", "ruta"),
    [
        ("GET", "/api/pendientes/{id}"),
        ("GET", "/api/pendientes/{id}/acciones"),
        ("POST", "/api/pendientes/{id}/acciones/comenzar"),
        ("POST", "/api/pendientes/{id}/acciones/pedir_vlan"),
        ("POST", "/api/pendientes/{id}/acciones/reasignar"),
        ("PUT", "/api/pendientes/{id}/estado?nuevoEstado=EN_PROGRESO"),
    ],
)
async def test_otro_tecnico_no_lee_ni_actua(http, tokens, sessions, asignado, metodo, ruta):
    antes = await _estado(sessions, asignado)

    r = await http.request(metodo, ruta.format(id=asignado), json={}, headers=auth(tokens["tecnico2"]))

    assert r.status_code in (403, 404), r.text
    assert r.json()["success"] is False and "Sin señal" not in r.text and "ILAVE" not in r.text
    assert await _estado(sessions, asignado) == antes


async def test_ninguna_ruta_de_un_pendiente_sirve_al_otro_tecnico(app, http, tokens, sessions, asignado):
    """Every route under /api/pendientes/{id}, present and future: never a 2xx, never the data,
    never a change. (A missing body or query may answer 422 first: that too changes nothing.)"""
    ajeno = auth(tokens["tecnico2"])
    antes = await _estado(sessions, asignado)
    fallos = []
    for ctx in iter_route_contexts(app.routes):
        if not (ctx.path or "").startswith("/api/pendientes/{id}"):
            continue
        ruta = re.sub(r"\{accion\}", "comenzar", ctx.path).replace("{id}", str(asignado))
        for metodo in (ctx.methods or set()) - {"HEAD"}:  # a WebSocket route has no HTTP methods
            r = await http.request(metodo, ruta, json={} if metodo != "GET" else None, headers=ajeno)
            if r.status_code < 400 or "ILAVE" in r.text or "Sin señal" in r.text:
                fallos.append(f"{metodo} {ruta}: {r.status_code} {r.text[:120]}")
    assert fallos == []
    assert await _estado(sessions, asignado) == antes


async def test_el_actor_del_historial_es_el_empleado_autenticado(http, tokens, sessions, asignado):
    otro = await _empleado_de(sessions, "10000007")
    cuerpo = {"empleadoId": otro, "registradoPorId": otro, "actor": otro, "usuarioId": 1}
    r = await http.post(
        f"/api/pendientes/{asignado}/acciones/comenzar", json=cuerpo, headers=auth(tokens["tecnico"])
    )
    assert r.status_code == 200, r.text

    async with sessions() as s:
        entradas = (
            await s.execute(
                select(m.Historial.accion, m.Historial.empleado_id, m.Historial.actor_nombre)
                .where(m.Historial.pendiente_id == asignado)
                .order_by(m.Historial.id)
            )
        ).all()
    coordinadora = await _empleado_de(sessions, "10000002")
    tecnico = await _empleado_de(sessions, "10000006")
    assert [(a, e) for a, e, _ in entradas] == [
        ("crear", coordinadora),
        ("asignar", coordinadora),
        ("comenzar", tecnico),
    ]
    assert entradas[-1][2] == "Edwin Mamani"


# The list routes the reference and product-decisions.md name; whichever the app serves is checked,
# narrowed to this module's client so the page holds the pendiente.
LISTADOS = [("POST", "/api/pendientes/filtrar"), ("GET", "/api/pendientes")]


def _ids(data) -> set[int]:
    filas = data["content"] if isinstance(data, dict) and "content" in data else data
    return {fila["id"] for fila in filas}


async def test_la_lista_del_otro_tecnico_no_incluye_el_pendiente(app, http, tokens, sessions, asignado):
    servidas = {(metodo, ctx.path) for ctx in iter_route_contexts(app.routes) for metodo in ctx.methods or ()}
    presentes = [fila for fila in LISTADOS if fila in servidas]
    if not presentes:
        pytest.skip("no pendiente list route yet; this test checks it as soon as one exists")
    async with sessions() as s:
        cliente = await s.scalar(select(m.Pendiente.cliente_id).where(m.Pendiente.id == asignado))
    for metodo, ruta in presentes:
        pedir = {"params": {"clienteId": cliente, "size": 100}}
        if metodo == "POST":
            pedir["json"] = {"clienteId": cliente}
        propio = await http.request(metodo, ruta, headers=auth(tokens["tecnico"]), **pedir)
        ajeno = await http.request(metodo, ruta, headers=auth(tokens["tecnico2"]), **pedir)
        assert propio.status_code == ajeno.status_code == 200, (propio.text, ajeno.text)
        assert asignado in _ids(propio.json()["data"])
        assert asignado not in _ids(ajeno.json()["data"])
