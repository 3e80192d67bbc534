"""The pendiente list: every filter of `POST /filtrar` and `GET /api/pendientes`, sorting, pages and
who sees what. Each test filters on a cliente of its own, so pendientes other tests make never leak in."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from db import models as m
from tests.api.pendientes.acciones.conftest import LIMA
from tests.api.pendientes.conftest import error


@dataclass
class Escenario:
    cliente: int
    codigo: str
    dia: date  # the day of `internet`; `traslado` is the next day
    averia: int  # ASIGNADO to tecnico, URGENTE, SIMAX, JULIACA, direccion "Jr. Tacna 101"
    internet: int  # REGISTRADO, BAJA, WINEX, PUNO, the day at 23:30
    traslado: int  # CANCELADO, MUY_URGENTE, registered by atencion-cliente, next day at 00:00
    vencido: int  # RECOJO_DISPOSITIVOS scheduled yesterday: flagged vencido
    pppoe: int  # AVERIA assigned to tecnico2 with PENDIENTE_PPPoE
    eliminado: int  # deleted: never listed


def _en(dia: date, hora: time) -> str:
    return datetime.combine(dia, hora, LIMA).isoformat()


async def _esperar_vencido(http, h, pendiente_id: int) -> None:
    for _ in range(100):
        r = await http.get(f"/api/pendientes/{pendiente_id}", headers=h["coordinadora"])
        if r.json()["data"]["vencido"]:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the overdue timer never fired")


@pytest.fixture(scope="module")
async def esc(http, h, nuevo_cliente, alta, accion, personas, sessions) -> Escenario:
    cliente = await nuevo_cliente("Teófila Quispe-Mamani", direccion="Av. Circunvalación 77, Juliaca")
    async with sessions() as s:
        codigo = await s.scalar(select(m.Cliente.codigo_cliente).where(m.Cliente.id == cliente))
    dia = datetime.now(LIMA).date() + timedelta(days=40)
    tecnico, tecnico2 = (t.empleado_id for t in personas.tecnicos)

    averia = await alta(
        cliente,
        prioridad="URGENTE",
        empresa="SIMAX",
        direccion="Jr. Tacna 101",
        fechaPendiente=_en(dia - timedelta(days=5), time(9)),
        detalle={"descripcionFalla": "sin señal"},
    )
    await accion(averia["id"], "asignar", "coordinadora", tecnicoId=tecnico)
    internet = await alta(
        cliente,
        tipo="INSTALACION_INTERNET",
        lugar="PUNO",
        prioridad="BAJA",
        empresa="WINEX",
        fechaPendiente=_en(dia, time(23, 30)),
        detalle={"velocidadSolicitada": "100 Mbps"},
    )
    traslado = await alta(
        cliente,
        "atencion-cliente",
        tipo="TRASLADO",
        lugar="ILAVE",
        prioridad="MUY_URGENTE",
        fechaPendiente=_en(dia + timedelta(days=1), time(0)),
        detalle={"lugarDestino": "PUNO"},
    )
    await accion(traslado["id"], "cancelar", "coordinadora", motivo="el cliente desistió")
    ayer = datetime.now(LIMA).date() - timedelta(days=1)
    vencido = await alta(
        cliente, tipo="RECOJO_DISPOSITIVOS", lugar="JULI", fechaPendiente=_en(ayer, time(10)), detalle={}
    )
    pppoe = await alta(cliente, lugar="ACORA", detalle={"descripcionFalla": "router reiniciado"})
    await accion(pppoe["id"], "asignar", "coordinadora", tecnicoId=tecnico2)
    await accion(pppoe["id"], "pedir_pppoe", "red")
    eliminado = await alta(cliente, lugar="ACORA")
    r = await http.delete(f"/api/pendientes/{eliminado['id']}", headers=h["coordinadora"])
    assert r.status_code == 200, r.text
    await _esperar_vencido(http, h, vencido["id"])
    ids = (averia, internet, traslado, vencido, pppoe, eliminado)
    return Escenario(cliente, codigo, dia, *(p["id"] for p in ids))


async def _ids(http, headers, filtro: dict, **pagina) -> list[int]:
    r = await http.post("/api/pendientes/filtrar", params=pagina, json=filtro, headers=headers)
    assert r.status_code == 200, r.text
    return [p["id"] for p in r.json()["data"]["content"]]


async def _ids_get(http, headers, params) -> list[int]:
    r = await http.get("/api/pendientes", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return [p["id"] for p in r.json()["data"]["content"]]


async def test_la_pagina_tiene_la_forma_del_original_y_no_lista_eliminados(http, h, esc):
    r = await http.post("/api/pendientes/filtrar", json={"clienteId": esc.cliente}, headers=h["coordinadora"])

    assert r.status_code == 200, r.text
    pagina = r.json()["data"]
    assert {"content", "totalElements", "totalPages", "number", "size", "first", "last"} <= pagina.keys()
    assert pagina["size"] == 10 and pagina["number"] == 0 and pagina["totalElements"] == 5
    ids = {p["id"] for p in pagina["content"]}
    assert ids == {esc.averia, esc.internet, esc.traslado, esc.vencido, esc.pppoe}
    assert esc.eliminado not in ids
    primero = pagina["content"][0]
    assert {"id", "estado", "estadoTecnico", "cliente", "codCliente", "vencido", "version"} <= primero.keys()


async def test_orden_por_defecto_fecha_de_creacion_descendente(http, h, esc):
    ids = await _ids(http, h["coordinadora"], {"clienteId": esc.cliente})
    assert ids == [esc.pppoe, esc.vencido, esc.traslado, esc.internet, esc.averia]


@pytest.mark.parametrize(
    ("filtro", "esperados"),
    [
        ({"estados": ["ASIGNADO", "CANCELADO"]}, {"averia", "pppoe", "traslado"}),
        ({"estados": []}, {"averia", "internet", "traslado", "vencido", "pppoe"}),
        ({"estadosTecnico": ["PENDIENTE_PPPoE"]}, {"pppoe"}),
        ({"tipo": "AVERIA"}, {"averia", "pppoe"}),
        ({"tipos": ["TRASLADO", "INSTALACION_INTERNET"]}, {"traslado", "internet"}),
        ({"tipo": "TRASLADO", "tipos": ["RECOJO_DISPOSITIVOS"]}, {"traslado", "vencido"}),
        ({"prioridad": "MUY_URGENTE"}, {"traslado"}),
        ({"lugar": "PUNO"}, {"internet"}),
        ({"empresa": "WINEX"}, {"internet"}),
        ({"vencido": True}, {"vencido"}),
        ({"vencido": False}, {"averia", "internet", "traslado", "pppoe"}),
        ({"lugar": "ACORA", "estados": ["ASIGNADO"]}, {"pppoe"}),
        # Blank values (old forms) are no filter.
        ({"titulo": "", "prioridad": ""}, {"averia", "internet", "traslado", "vencido", "pppoe"}),
    ],
)
async def test_cada_filtro(http, h, esc, filtro, esperados):
    ids = await _ids(http, h["coordinadora"], {"clienteId": esc.cliente} | filtro)
    assert set(ids) == {getattr(esc, nombre) for nombre in esperados}


async def test_asignado_y_registrado_por_son_empleados(http, h, esc, personas):
    coord = h["coordinadora"]
    tecnico = personas.tecnicos[0].empleado_id
    atencion = personas.actores["atencion-cliente"].empleado_id
    assert await _ids(http, coord, {"clienteId": esc.cliente, "asignadoAId": tecnico}) == [esc.averia]
    assert await _ids(http, coord, {"clienteId": esc.cliente, "registradoPorId": atencion}) == [esc.traslado]


async def _cuenta_con_ids_distintos(http, h, cuenta) -> tuple[dict, int, int]:
    """An account whose user id and empleado id differ, so the filter can tell them apart."""
    for _ in range(3):
        headers = await cuenta("REGISTRAR_PENDIENTE", "VER_DETALLE")
        yo = (await http.get("/api/usuarios/usuario", headers=headers)).json()["data"]
        empleado = yo["empleado"]["id"]
        if yo["id"] != empleado:
            return headers, yo["id"], empleado
        # Shift the empleado sequence so the next account's ids differ.
        cargos = (await http.get("/api/empleados/cargos", headers=h["administrador"])).json()["data"]
        sobra = {"nombre": "Sin cuenta", "cargoId": cargos[0]["id"], "fechaIngreso": "2025-01-02"}
        assert (await http.post("/api/empleados", json=sobra, headers=h["administrador"])).status_code == 201
    raise AssertionError("could not get distinct ids")


async def test_usuario_id_es_un_usuario_no_un_empleado(http, h, nuevo_cliente, alta, cuenta):
    """§9 defect 16: `usuarioId` was compared with empleado ids."""
    headers, usuario_id, empleado_id = await _cuenta_con_ids_distintos(http, h, cuenta)
    cliente = await nuevo_cliente()
    r = await http.post(
        "/api/pendientes",
        json={"clienteId": cliente, "tipo": "AVERIA", "lugar": "PUNO", "prioridad": "BAJA"},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    suyo = r.json()["data"]["id"]
    await alta(cliente)  # registered by the coordinadora: not the user's

    coord = h["coordinadora"]
    assert await _ids(http, coord, {"clienteId": cliente, "usuarioId": usuario_id}) == [suyo]
    assert await _ids(http, coord, {"clienteId": cliente, "usuarioId": empleado_id}) == []
    assert await _ids(http, coord, {"clienteId": cliente, "usuarioId": 987654321}) == []


async def test_usuario_id_incluye_lo_asignado(http, h, esc, personas):
    tecnico_usuario = personas.tecnicos[0].usuario_id
    ids = await _ids(http, h["coordinadora"], {"clienteId": esc.cliente, "usuarioId": tecnico_usuario})
    assert ids == [esc.averia]


@pytest.mark.parametrize(
    ("desde", "hasta", "esperados"),
    [
        (0, 0, {"internet"}),  # 23:30 of the day is inside it, 00:00 of the next day is not
        (1, 1, {"traslado"}),
        (0, 1, {"internet", "traslado"}),
        (-5, None, {"averia", "internet", "traslado"}),
        (None, -1, {"averia", "vencido"}),
    ],
)
async def test_rango_de_fechas_en_dias_de_lima(http, h, esc, desde, hasta, esperados):
    """§9 defect 16: `fechaPendiente` was an exact timestamp match; now a range of Lima days."""
    filtro = {"clienteId": esc.cliente}
    if desde is not None:
        filtro["fechaDesde"] = (esc.dia + timedelta(days=desde)).isoformat()
    if hasta is not None:
        filtro["fechaHasta"] = (esc.dia + timedelta(days=hasta)).isoformat()
    assert set(await _ids(http, h["coordinadora"], filtro)) == {getattr(esc, n) for n in esperados}


async def test_fecha_pendiente_del_original_filtra_su_dia(http, h, esc):
    # An old client sends the full timestamp; any instant of that Lima day finds it.
    instante = datetime.combine(esc.dia, time(8), LIMA).isoformat()
    assert await _ids(http, h["coordinadora"], {"clienteId": esc.cliente, "fechaPendiente": instante}) == [
        esc.internet
    ]
    # With an offset the instant is read in Lima: 2026-xx-(dia+1)T04:00Z is still `dia` in Lima.
    utc = (datetime.combine(esc.dia + timedelta(days=1), time(4))).isoformat() + "Z"
    assert await _ids(
        http, h["coordinadora"], {"clienteId": esc.cliente, "fechaDesde": utc, "fechaHasta": utc}
    ) == [esc.internet]


async def test_rango_invertido_es_422(http, h, esc):
    filtro = {"fechaDesde": "2026-12-10", "fechaHasta": "2026-12-01"}
    r = await http.post("/api/pendientes/filtrar", json=filtro, headers=h["coordinadora"])
    error(r, 422, "fechaHasta")


@pytest.mark.parametrize(
    ("texto", "esperados"),
    [
        ("quispe-MAMANI", {"averia", "internet", "traslado", "vencido", "pppoe"}),  # cliente nombre
        ("teóFILA", {"averia", "internet", "traslado", "vencido", "pppoe"}),
        ("tacna", {"averia"}),  # the pendiente's address
        ("TA", {"averia"}),  # shorter than a trigram: still a substring search
        ("na 10", {"averia"}),  # across words
        ("circunvalación", {"averia", "internet", "traslado", "vencido", "pppoe"}),  # the cliente's
        ("100%", set()),  # wildcards are literal
        ("_", set()),
    ],
)
async def test_busqueda_de_texto(http, h, esc, texto, esperados):
    ids = await _ids(http, h["coordinadora"], {"clienteId": esc.cliente, "texto": texto})
    assert set(ids) == {getattr(esc, n) for n in esperados}


async def test_texto_por_codigo_de_cliente_y_titulo_como_alias(http, h, esc):
    """§9 defect 16: a non-blank `titulo` was a 500 (no such column); now it searches the real fields."""
    todos = {esc.averia, esc.internet, esc.traslado, esc.vencido, esc.pppoe}
    codigo = esc.codigo.lower()
    assert set(await _ids(http, h["coordinadora"], {"texto": codigo})) == todos
    assert set(await _ids(http, h["coordinadora"], {"titulo": codigo})) == todos
    assert set(await _ids_get(http, h["coordinadora"], {"titulo": codigo})) == todos


async def test_get_con_los_mismos_filtros_y_listas_repetidas_o_con_comas(http, h, esc):
    coord = h["coordinadora"]
    base = {"clienteId": esc.cliente}
    repetidas = [("clienteId", esc.cliente), ("estados", "ASIGNADO"), ("estados", "CANCELADO")]
    esperados = {esc.averia, esc.pppoe, esc.traslado}
    assert set(await _ids_get(http, coord, repetidas)) == esperados
    assert set(await _ids_get(http, coord, base | {"estados": "ASIGNADO,CANCELADO"})) == esperados
    fechas = base | {"fechaDesde": esc.dia.isoformat(), "fechaHasta": esc.dia.isoformat()}
    assert await _ids_get(http, coord, fechas) == [esc.internet]
    assert await _ids_get(http, coord, base | {"vencido": "true"}) == [esc.vencido]
    assert await _ids_get(http, coord, base | {"tipos": "AVERIA", "lugar": "JULIACA"}) == [esc.averia]
    ordenados = await _ids_get(http, coord, base | {"sort": "prioridad,desc", "size": 2, "page": 0})
    assert ordenados == [esc.traslado, esc.averia]


@pytest.mark.parametrize(
    ("sort", "esperados"),
    [
        ("prioridad,desc", ["traslado", "averia", "pppoe", "vencido", "internet"]),
        ("prioridad,asc", ["internet", "pppoe", "vencido", "averia", "traslado"]),
        ("estado", ["vencido", "internet", "pppoe", "averia", "traslado"]),
        ("id,ASC", ["averia", "internet", "traslado", "vencido", "pppoe"]),
        ("fechaPendiente,asc", ["vencido", "averia", "internet", "traslado", "pppoe"]),
    ],
)
async def test_orden_en_la_lista_blanca(http, h, esc, sort, esperados):
    """Priority and state sort in their natural order, not alphabetically; ties go by id, newest first."""
    ids = await _ids(http, h["coordinadora"], {"clienteId": esc.cliente}, sort=sort)
    assert ids == [getattr(esc, n) for n in esperados]


@pytest.mark.parametrize("sort", ["titulo,asc", "password", "cliente.nombre", "id,sideways"])
async def test_orden_desconocido_es_422(http, h, sort):
    """§9 defect 16's sibling: any entity attribute was accepted and an unknown one was a 500."""
    r = await http.post("/api/pendientes/filtrar", params={"sort": sort}, json={}, headers=h["coordinadora"])
    error(r, 422, "sort")
    r = await http.get("/api/pendientes", params={"sort": sort}, headers=h["coordinadora"])
    error(r, 422, "sort")


async def test_paginas(http, h, esc):
    r = await http.post(
        "/api/pendientes/filtrar",
        params={"page": 2, "size": 2, "sort": "id,asc"},
        json={"clienteId": esc.cliente},
        headers=h["coordinadora"],
    )
    pagina = r.json()["data"]
    assert [p["id"] for p in pagina["content"]] == [esc.pppoe]
    assert (pagina["totalElements"], pagina["totalPages"], pagina["number"]) == (5, 3, 2)
    assert pagina["last"] is True and pagina["first"] is False
    r = await http.get("/api/pendientes", params={"size": 101}, headers=h["coordinadora"])
    error(r, 422, "size")


async def test_sin_cuerpo_no_filtra(http, h):
    r = await http.post("/api/pendientes/filtrar", headers=h["coordinadora"])
    assert r.status_code == 200, r.text
    assert r.json()["data"]["totalElements"] >= 5


@pytest.mark.parametrize(
    ("filtro", "campo"),
    [
        ({"estados": ["PERDIDO"]}, "estados.0"),
        ({"tipo": "OTRA_COSA"}, "tipo"),
        ({"clienteId": 0}, "clienteId"),
        ({"usuarioId": "uno"}, "usuarioId"),
        ({"fechaDesde": "mañana"}, "fechaDesde"),
        ({"estadoo": "REGISTRADO"}, "estadoo"),
        ({"texto": "x" * 101}, "texto"),
        ({"texto": "a\x00"}, "texto"),
        ({"fechaHasta": "9999-12-31"}, "fechaHasta"),
        ({"fechaDesde": "0001-01-01T00:00:00+05:00"}, "fechaDesde"),
    ],
)
async def test_filtro_invalido_es_422_nombrando_el_campo(http, h, filtro, campo):
    r = await http.post("/api/pendientes/filtrar", json=filtro, headers=h["coordinadora"])
    error(r, 422, campo)


@pytest.mark.parametrize(
    ("params", "campo"),
    [
        ({"estados": "REGISTRADO,PERDIDO"}, "estados.1"),
        ({"vencido": "quizas"}, "vencido"),
        ({"foo": "1"}, "foo"),
    ],
)
async def test_filtro_invalido_por_query_es_422(http, h, params, campo):
    error(await http.get("/api/pendientes", params=params, headers=h["coordinadora"]), 422, campo)


async def test_el_tecnico_ve_solo_lo_suyo(http, h, esc, personas):
    """VER_DETALLE: a technician's list is what they registered or are assigned to."""
    filtro = {"clienteId": esc.cliente}
    assert await _ids(http, h["tecnico"], filtro) == [esc.averia]
    assert await _ids(http, h["tecnico2"], filtro) == [esc.pppoe]
    assert await _ids_get(http, h["tecnico"], filtro) == [esc.averia]
    # Filters cannot widen it.
    otro = personas.tecnicos[1].empleado_id
    assert await _ids(http, h["tecnico"], filtro | {"asignadoAId": otro}) == []
    for rol in ("asesor", "contabilidad", "red", "atencion-cliente", "administrador"):
        assert len(await _ids(http, h[rol], filtro)) == 5, rol


async def test_ver_detalle_sin_empleado_no_ve_nada(http, cuenta, esc):
    headers = await cuenta("VER_DETALLE", con_empleado=False)
    assert await _ids(http, headers, {"clienteId": esc.cliente}) == []


async def test_sin_permiso_de_ver_es_403(http, cuenta):
    headers = await cuenta("REGISTRAR_PAGO", "GESTIONAR_CLIENTES")
    for r in (
        await http.post("/api/pendientes/filtrar", json={}, headers=headers),
        await http.get("/api/pendientes", headers=headers),
    ):
        cuerpo = error(r, 403)
        assert "VER_TODOS" in cuerpo["message"] and "VER_DETALLE" in cuerpo["message"]


async def test_filtros_por_get_y_post(http, h, cuenta):
    sin_permisos = await cuenta()
    for metodo in ("GET", "POST"):
        r = await http.request(metodo, "/api/pendientes/filtros", headers=sin_permisos)
        assert r.status_code == 200, r.text
        data = r.json()["data"]
        assert len(data["estados"]) == 10 and data["estados"][0] == "REGISTRADO"
        assert data["tipos"] == [
            "AVERIA",
            "INSTALACION_INTERNET",
            "INSTALACION_CAMARAS",
            "RECOJO_DISPOSITIVOS",
            "TRASLADO",
        ]
        assert data["prioridades"] == ["BAJA", "MEDIA", "URGENTE", "MUY_URGENTE"]
        assert "PENDIENTE_PPPoE_Y_VLAN" in data["estadosTecnico"] and "YONGUYO" in data["lugares"]
        assert data["empresas"] == ["SIMAX", "WINEX", "OTRO"]
    assert (await http.get("/api/pendientes/filtros")).status_code == 401
