"""Editing the header (`PUT`/`PATCH /api/pendientes/{id}`) and deleting (`DELETE`), over HTTP and through
the pendiente's workflow (§9 defect 12: the original had no edit endpoint)."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update

from db import models as m
from tests.api.pendientes.acciones.conftest import LIMA
from tests.api.pendientes.conftest import error

# Days ahead in Lima, fixed once per run and far from any day boundary: these pendientes cannot become
# overdue (a `vencer` row bumps the version) while the tests compare versions, at any date and hour.
DIA = datetime.now(LIMA).date() + timedelta(days=10)
OTRO_DIA = DIA + timedelta(days=22)


async def _historial(sessions, pendiente_id: int, accion: str) -> list[m.Historial]:
    async with sessions() as s:
        filas = await s.scalars(
            select(m.Historial).where(m.Historial.pendiente_id == pendiente_id, m.Historial.accion == accion)
        )
        return list(filas)


@pytest.fixture
async def pendiente(nuevo_cliente, alta) -> dict:
    cliente = await nuevo_cliente()
    return await alta(
        cliente,
        empresa="SIMAX",
        direccion="Jr. Puno 12",
        fechaPendiente=f"{DIA}T09:00:00",
        detalle={"descripcionFalla": "sin señal"},
    )


@pytest.mark.parametrize("metodo", ["PUT", "PATCH"])
async def test_cambia_solo_lo_enviado_y_null_vacia(http, h, pendiente, sessions, metodo):
    url = f"/api/pendientes/{pendiente['id']}"
    cuerpo = {"prioridad": "MUY_URGENTE", "direccion": None, "fechaPendiente": f"{OTRO_DIA}T15:30:00"}

    r = await http.request(metodo, url, json=cuerpo, headers=h["coordinadora"])

    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert (data["prioridad"], data["direccion"]) == ("MUY_URGENTE", None)
    assert data["fechaPendiente"] == f"{OTRO_DIA}T15:30:00-05:00"
    # Absent fields keep their values; the lifecycle is untouched.
    assert (data["lugar"], data["empresa"], data["estado"]) == ("JULIACA", "SIMAX", "REGISTRADO")
    assert data["version"] == pendiente["version"] + 1
    assert (await http.get(url, headers=h["coordinadora"])).json()["data"] == data
    [entrada] = await _historial(sessions, pendiente["id"], "editar")
    assert "prioridad" in entrada.detalles and "direccion" in entrada.detalles


async def test_cambiar_el_cliente(http, h, pendiente, nuevo_cliente):
    otro = await nuevo_cliente("Cliente Nuevo del Pendiente")
    r = await http.put(
        f"/api/pendientes/{pendiente['id']}", json={"clienteId": otro}, headers=h["coordinadora"]
    )
    assert r.status_code == 200, r.text
    assert (r.json()["data"]["idCliente"], r.json()["data"]["cliente"]) == (
        otro,
        "Cliente Nuevo del Pendiente",
    )


async def test_cliente_inexistente_o_eliminado_es_404(http, h, pendiente, nuevo_cliente, sessions):
    borrado = await nuevo_cliente()
    async with sessions.begin() as s:
        await s.execute(update(m.Cliente).where(m.Cliente.id == borrado).values(vigente=False))
    url = f"/api/pendientes/{pendiente['id']}"
    for cliente in (987654321, borrado):
        error(await http.put(url, json={"clienteId": cliente}, headers=h["coordinadora"]), 404, "clienteId")
    assert (await http.get(url, headers=h["coordinadora"])).json()["data"]["idCliente"] == pendiente[
        "idCliente"
    ]


@pytest.mark.parametrize(
    ("cuerpo", "campo"),
    [
        ({"estado": "FINALIZADO"}, "estado"),
        ({"estadoTecnico": "OK"}, "estadoTecnico"),
        ({"asignadoA": 6}, "asignadoA"),
        ({"asignadoAId": 6}, "asignadoAId"),
        ({"vencido": False}, "vencido"),
        ({"prioridad": "BAJA", "tipo": "TRASLADO"}, "tipo"),
        ({"registradoPorId": 1}, "registradoPorId"),
        ({"id": 987654321}, "id"),
        ({"nombreRaro": 1}, "nombreRaro"),
        ({"prioridad": None}, "prioridad"),
        ({"lugar": None}, "lugar"),
        ({"clienteId": None}, "clienteId"),
        ({"prioridad": "ALTISIMA"}, "prioridad"),
        ({"direccion": "x" * 201}, "direccion"),
        ({"fechaPendiente": "el lunes"}, "fechaPendiente"),
        ({"fechaPendiente": "0001-01-01T00:00:00+05:00"}, "fechaPendiente"),
        ({"direccion": "Jr. \x00"}, "direccion"),
    ],
)
async def test_422_nombra_el_campo_y_no_escribe(http, h, pendiente, cuerpo, campo):
    url = f"/api/pendientes/{pendiente['id']}"
    r = await http.put(url, json=cuerpo, headers=h["coordinadora"])
    cuerpo_error = error(r, 422, campo)
    if campo in ("estado", "estadoTecnico", "asignadoA", "asignadoAId"):
        assert "acciones" in cuerpo_error["message"]
    assert (await http.get(url, headers=h["coordinadora"])).json()["data"]["version"] == pendiente["version"]


async def test_cuerpo_vacio_o_con_su_propio_id_no_cambia_nada(http, h, pendiente):
    url = f"/api/pendientes/{pendiente['id']}"
    for cuerpo in ({}, {"id": pendiente["id"]}):
        r = await http.patch(url, json=cuerpo, headers=h["coordinadora"])
        assert r.status_code == 200, r.text
        assert r.json()["data"] == pendiente


async def test_una_nueva_fecha_quita_el_vencido(http, h, nuevo_cliente, alta):
    ayer = datetime.combine(datetime.now(LIMA).date() - timedelta(days=1), time(9), LIMA)
    p = await alta(await nuevo_cliente(), fechaPendiente=ayer.isoformat())
    url = f"/api/pendientes/{p['id']}"
    for _ in range(100):
        if (await http.get(url, headers=h["coordinadora"])).json()["data"]["vencido"]:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("never flagged vencido")
    manana = (datetime.now(LIMA) + timedelta(days=2)).isoformat()
    r = await http.patch(url, json={"fechaPendiente": manana}, headers=h["coordinadora"])
    assert r.status_code == 200 and r.json()["data"]["vencido"] is False


async def test_idempotency_key_edita_una_vez(http, h, pendiente, sessions):
    url = f"/api/pendientes/{pendiente['id']}"
    cabeceras = h["coordinadora"] | {"Idempotency-Key": "editar-una-vez"}
    respuestas = [await http.put(url, json={"lugar": "POMATA"}, headers=cabeceras) for _ in range(2)]
    assert [r.status_code for r in respuestas] == [200, 200]
    assert respuestas[0].json()["data"] == respuestas[1].json()["data"]
    assert len(await _historial(sessions, pendiente["id"], "editar")) == 1


async def test_if_match(http, h, pendiente):
    url = f"/api/pendientes/{pendiente['id']}"
    vieja = f'"{pendiente["version"]}"'
    r = await http.put(url, json={"lugar": "JULI"}, headers=h["coordinadora"] | {"If-Match": vieja})
    assert r.status_code == 200, r.text
    r = await http.put(url, json={"lugar": "ACORA"}, headers=h["coordinadora"] | {"If-Match": vieja})
    error(r, 409)
    r = await http.put(
        url, json={"lugar": "ACORA", "version": pendiente["version"] + 1}, headers=h["coordinadora"]
    )
    assert r.status_code == 200, r.text
    for malo in ("x", '"²"'.encode("latin-1")):  # a digit to str.isdigit, not to int()
        r = await http.put(url, json={"lugar": "ACORA"}, headers=h["coordinadora"] | {"If-Match": malo})
        error(r, 422, "If-Match")


@pytest.mark.parametrize("estado", ["FINALIZADO", "CANCELADO"])
async def test_cerrado_no_se_edita(http, h, crear, estado):
    pendiente_id = await crear(estado)
    r = await http.patch(
        f"/api/pendientes/{pendiente_id}", json={"prioridad": "BAJA"}, headers=h["coordinadora"]
    )
    assert error(r, 409)["data"]["estado"] == estado


async def test_editar_se_permite_en_curso(http, h, crear):
    pendiente_id = await crear("EN_PROGRESO")
    r = await http.patch(
        f"/api/pendientes/{pendiente_id}", json={"prioridad": "BAJA"}, headers=h["coordinadora"]
    )
    assert r.status_code == 200 and r.json()["data"]["estado"] == "EN_PROGRESO"


@pytest.mark.parametrize("rol", ["asesor", "atencion-cliente", "contabilidad", "tecnico", "red"])
async def test_editar_y_eliminar_sin_editar_pendiente_es_403(http, h, pendiente, rol):
    url = f"/api/pendientes/{pendiente['id']}"
    for r in (
        await http.put(url, json={"prioridad": "BAJA"}, headers=h[rol]),
        await http.patch(url, json={}, headers=h[rol]),
        await http.delete(url, headers=h[rol]),
    ):
        assert "EDITAR_PENDIENTE" in error(r, 403)["message"]
    assert (await http.get(url, headers=h["coordinadora"])).json()["data"]["version"] == pendiente["version"]


async def test_editor_que_no_ve_el_pendiente_es_403(http, cuenta, pendiente):
    headers = await cuenta("EDITAR_PENDIENTE", "VER_DETALLE")
    url = f"/api/pendientes/{pendiente['id']}"
    error(await http.put(url, json={"prioridad": "BAJA"}, headers=headers), 403)
    error(await http.delete(url, headers=headers), 403)


async def test_id_desconocido_es_404(http, h):
    for r in (
        await http.put("/api/pendientes/987654321", json={"prioridad": "BAJA"}, headers=h["coordinadora"]),
        await http.patch("/api/pendientes/987654321", json={}, headers=h["coordinadora"]),
        await http.delete("/api/pendientes/987654321", headers=h["coordinadora"]),
    ):
        error(r, 404)
    error(await http.put("/api/pendientes/abc", json={}, headers=h["coordinadora"]), 422, "id")


@pytest.mark.parametrize("estado", ["REGISTRADO", "CANCELADO"])
async def test_eliminar(http, h, crear, sessions, estado):
    pendiente_id = await crear(estado)
    url = f"/api/pendientes/{pendiente_id}"

    r = await http.delete(url, params={"motivo": "registrado por error"}, headers=h["coordinadora"])

    assert r.status_code == 200, r.text
    assert r.json() == {
        "success": True,
        "code": 200,
        "message": "Pendiente eliminado correctamente",
        "data": None,
    }
    error(await http.get(url, headers=h["coordinadora"]), 404)
    r = await http.post("/api/pendientes/filtrar", json={"texto": "CLI000002"}, headers=h["coordinadora"])
    total = r.json()["data"]["totalElements"]
    r = await http.post(
        "/api/pendientes/filtrar",
        params={"size": 100},
        json={"texto": "CLI000002"},
        headers=h["coordinadora"],
    )
    assert pendiente_id not in [p["id"] for p in r.json()["data"]["content"]] and total >= 0
    error(await http.delete(url, headers=h["coordinadora"]), 404)
    error(await http.put(url, json={"prioridad": "BAJA"}, headers=h["coordinadora"]), 404)
    [entrada] = await _historial(sessions, pendiente_id, "eliminar")
    assert "registrado por error" in entrada.detalles
    async with sessions() as s:
        assert await s.scalar(select(func.count()).where(m.Pendiente.id == pendiente_id)) == 1  # soft


@pytest.mark.parametrize("estado", ["ASIGNADO", "EN_PROGRESO", "POR_VALIDAR", "FINALIZADO"])
async def test_solo_se_elimina_registrado_o_cancelado(http, h, crear, estado):
    pendiente_id = await crear(estado)
    r = await http.delete(f"/api/pendientes/{pendiente_id}", headers=h["coordinadora"])
    assert error(r, 409)["data"]["estado"] == estado
    assert (await http.get(f"/api/pendientes/{pendiente_id}", headers=h["coordinadora"])).status_code == 200
