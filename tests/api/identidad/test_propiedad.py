"""Technicians and their own pendientes (product-decisions.md, Permissions): VER_DETALLE sees only what
the caller registered or is assigned to; EJECUTAR_TRABAJO acts only for the assigned technician. Another
technician gets 403, never the data, and nothing changes. The historial actor is always the
authenticated empleado, whatever the body says."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import select

from db import models as m
from tests.conftest import auth

LIMA = ZoneInfo("America/Lima")


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

    assert r.status_code == 403, r.text
    assert VER_PROPIOS in r.json()["message"]
    assert r.json()["success"] is False and "Sin señal" not in r.text and "ILAVE" not in r.text
    assert await _estado(sessions, asignado) == antes


def _manana() -> str:
    return (datetime.now(LIMA) + timedelta(days=1)).isoformat()


# A valid request for every route under /api/pendientes/{id}: (query, body). Valid, so that what refuses
# it is the caller's relation to the pendiente, not the body's shape (a 422 would prove nothing).
SIN_NADA: tuple[dict, dict | None] = ({}, None)
PPPOE = ({}, {"pppoeUser": "ajeno@simax", "pppoePassword": "clave-pppoe-ajena"})
VLAN = ({}, {"vlan": 300})
DETALLES = {
    "traslado": {"lugarDestino": "PUNO"},
    "averia": {"descripcionFalla": "escrito por otro"},
    "instalacion-internet": {"velocidadSolicitada": "300 Mbps"},
    "instalacion-camaras": {},
    "recojo-dispositivo": {"dispositivo": "ROUTER"},
}
PETICIONES: dict[tuple[str, str], tuple[dict, dict | None]] = {
    ("GET", "/api/pendientes/{id}"): SIN_NADA,
    ("PUT", "/api/pendientes/{id}"): ({}, {"lugar": "PUNO"}),
    ("PATCH", "/api/pendientes/{id}"): ({}, {"lugar": "PUNO"}),
    ("DELETE", "/api/pendientes/{id}"): SIN_NADA,
    ("GET", "/api/pendientes/{id}/acciones"): SIN_NADA,
    ("GET", "/api/pendientes/{id}/cambios/{clave}"): SIN_NADA,
    ("POST", "/api/pendientes/{id}/acciones/{accion}"): ({}, {}),  # comenzar needs no data
    ("PUT", "/api/pendientes/{id}/estado"): ({"nuevoEstado": "EN_PROGRESO"}, None),
    ("PUT", "/api/pendientes/{id}/estado-tecnico"): ({"nuevoEstado": "PENDIENTE_VLAN"}, None),
    ("GET", "/api/pendientes/{id}/estado-tecnico"): ({"nuevoEstado": "PENDIENTE_VLAN"}, None),
    ("PUT", "/api/pendientes/{id}/asignar"): ({"idAsignado": "{tecnico2}"}, None),
    ("PUT", "/api/pendientes/{id}/postergar"): ({}, {"nuevaFecha": "{manana}", "motivo": "lo pide otro"}),
    ("PUT", "/api/pendientes/{id}/cancelar"): ({}, {"motivo": "lo pide otro"}),
    ("POST", "/api/pendientes/{id}/cancel"): ({}, {"cause": "lo pide otro"}),
    ("PUT", "/api/pendientes/{id}/etiquetas"): ({}, {"etiquetaIds": []}),
    ("GET", "/api/pendientes/{id}/seguimiento-cliente"): SIN_NADA,
    ("DELETE", "/api/pendientes/{id}/seguimiento-cliente"): SIN_NADA,
    ("GET", "/api/pendientes/{id}/pdf"): SIN_NADA,
    ("POST", "/api/pendientes/{id}/etiquetas/{etiquetaId}"): SIN_NADA,
    ("DELETE", "/api/pendientes/{id}/etiquetas/{etiquetaId}"): SIN_NADA,
    **{("GET", f"/api/pendientes/{{id}}/{tipo}"): SIN_NADA for tipo in DETALLES},
    **{
        (m, f"/api/pendientes/{{id}}/{tipo}"): ({}, cuerpo)
        for tipo, cuerpo in DETALLES.items()
        for m in ("POST", "PUT")
    },
    **{
        ("PUT", f"/api/pendientes/{{id}}/{tipo}/{red}"): PPPOE if "p" in red else VLAN
        for tipo in ("traslado", "averia", "instalacion-internet")
        for red in ("pppoe", "ppoe", "vlan")
    },
    # The original's stray `¿` spellings, still served.
    ("PUT", "/api/pendientes/{id}/traslado¿/vlan"): VLAN,
    ("PUT", "/api/pendientes/{id}/averia¿/vlan"): VLAN,
}
VER_PROPIOS = "solo puede ver sus propios pendientes"


def _rutas_de_un_pendiente(app) -> set[tuple[str, str]]:
    return {
        (metodo, ctx.path)
        for ctx in iter_route_contexts(app.routes)
        if (ctx.path or "").startswith("/api/pendientes/{id}")
        for metodo in (ctx.methods or set()) - {"HEAD"}  # a WebSocket route has no HTTP methods
    }


async def _pedir(http, metodo: str, ruta: str, pendiente_id: int, headers, sessions):
    query, cuerpo = PETICIONES[(metodo, ruta)]
    valores = {"tecnico2": str(await _empleado_de(sessions, "10000007")), "manana": _manana()}
    query = {k: v.format(**valores) for k, v in query.items()}
    if cuerpo is not None:
        cuerpo = {k: v.format(**valores) if isinstance(v, str) else v for k, v in cuerpo.items()}
    url = ruta.replace("{accion}", "comenzar").replace("{clave}", "alta-1").replace("{etiquetaId}", "1")
    url = url.replace("{id}", str(pendiente_id))
    return await http.request(metodo, url, params=query, json=cuerpo, headers=headers)


def test_cada_ruta_de_un_pendiente_tiene_una_peticion_valida(app):
    """A new route under /api/pendientes/{id} needs a valid request here before the tests below pass."""
    assert _rutas_de_un_pendiente(app) == set(PETICIONES)


async def test_ninguna_ruta_de_un_pendiente_sirve_al_otro_tecnico(app, http, tokens, sessions, asignado):
    """Every route under /api/pendientes/{id}, with a valid request: a 403 (the pendiente is not theirs,
    or the technician lacks the permission altogether), never the data, never a change."""
    ajeno = auth(tokens["tecnico2"])
    antes = await _estado(sessions, asignado)
    fallos = []
    for metodo, ruta in sorted(_rutas_de_un_pendiente(app)):
        r = await _pedir(http, metodo, ruta, asignado, ajeno, sessions)
        if r.status_code != 403 or "ILAVE" in r.text or "Sin señal" in r.text:
            fallos.append(f"{metodo} {ruta}: {r.status_code} {r.text[:120]}")
    assert fallos == []
    assert await _estado(sessions, asignado) == antes


async def test_quien_tiene_todos_los_permisos_pero_no_ve_el_pendiente_no_lo_toca(
    app, http, cuenta, sessions, asignado
):
    """Every write permission but only VER_DETALLE, on a pendiente neither registered by nor assigned to
    the caller: each route, with a valid request, gets past the permission check and is refused because
    the pendiente is not theirs."""
    foraneo = await cuenta(
        "VER_DETALLE", "EDITAR_PENDIENTE", "REGISTRAR_PENDIENTE", "ASIGNAR_TECNICO", "EJECUTAR_TRABAJO",
        "CANCELAR_PENDIENTE", "POSTERGAR_PENDIENTE", "CONFIGURAR_PPPOE", "CONFIGURAR_VLAN",
    )  # fmt: skip
    antes = await _estado(sessions, asignado)
    fallos = []
    for metodo, ruta in sorted(_rutas_de_un_pendiente(app)):
        r = await _pedir(http, metodo, ruta, asignado, foraneo, sessions)
        if r.status_code != 403 or VER_PROPIOS not in r.json()["message"] or "ILAVE" in r.text:
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
    assert presentes, "no pendiente list route is served"
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
