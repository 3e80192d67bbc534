"""/api/pagos over HTTP: registrant from the token, amount and client rules, partial edit, soft delete,
historial rows, and who may read or write what."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from db import models as m

HOY = lambda: datetime.now(ZoneInfo("America/Lima")).date()  # noqa: E731
REGLA_REGISTRADOR = "solo quien registró el pago o un administrador pueden cambiarlo o anularlo"


def cuerpo(pendiente_id: int, **extra) -> dict:
    return {"pendienteId": pendiente_id, "monto": "50.00", "metodoPago": "EFECTIVO", **extra}


@pytest.fixture
async def pendiente(crear) -> int:
    """A pendiente in progress, assigned to the first technician (tokens["tecnico"])."""
    return await crear("EN_PROGRESO")


@pytest.fixture
def pagar(http, h):
    async def _pagar(pendiente_id: int, rol: str = "tecnico", **extra) -> dict:
        r = await http.post("/api/pagos", json=cuerpo(pendiente_id, **extra), headers=h[rol])
        assert r.status_code == 201, r.text
        return r.json()["data"]

    return _pagar


def campo(r) -> str:
    return r.json()["data"]["campo"]


async def test_registrar_pago_con_el_empleado_del_token(http, h, pendiente, empleado, historial_de, fila):
    otro = empleado["coordinadora"]
    r = await http.post(
        "/api/pagos",
        json=cuerpo(pendiente, monto=50.5, referencia="OP-123", empleadoId=otro),
        headers=h["tecnico"],
    )
    assert r.status_code == 201, r.text
    sobre = r.json()
    assert sobre["success"] is True and sobre["code"] == 201
    pago = sobre["data"]
    assert pago["empleadoId"] == empleado["tecnico"]  # the body's empleadoId is ignored
    assert pago["empleadoNombre"] == "Edwin Mamani"
    assert pago["monto"] == 50.5
    assert pago["fechaPago"] == HOY().isoformat()
    assert pago["metodoPago"] == "EFECTIVO" and pago["referencia"] == "OP-123"
    assert pago["pendienteId"] == pendiente and pago["clienteNombre"]
    guardado = await fila(m.Pago, pago["id"])
    assert str(guardado.monto) == "50.50" and guardado.cliente_id == pago["clienteId"]

    [entrada] = await historial_de(pendiente, "pago")
    assert entrada.empleado_id == empleado["tecnico"] and entrada.actor_nombre
    assert entrada.seq is None and entrada.estado_anterior is None
    assert entrada.estado == "EN_PROGRESO"
    assert entrada.detalles == f"pago {pago['id']}: S/ 50.50 EFECTIVO ref OP-123"


@pytest.mark.parametrize(
    "monto", [0, -1, "-0.01", 10.123, "1.001", "abc", "NaN", "Infinity", 1e10, None, True, [1]]
)
async def test_monto_positivo_con_dos_decimales(http, h, pendiente, monto):
    r = await http.post("/api/pagos", json=cuerpo(pendiente, monto=monto), headers=h["tecnico"])
    assert r.status_code == 422, r.text
    assert campo(r) == "monto"


async def test_monto_sin_enviar_y_montos_validos(http, h, pendiente, pagar):
    sin = cuerpo(pendiente)
    del sin["monto"]
    r = await http.post("/api/pagos", json=sin, headers=h["tecnico"])
    assert r.status_code == 422 and campo(r) == "monto"
    assert (await pagar(pendiente, monto="0.01"))["monto"] == 0.01
    assert (await pagar(pendiente, monto="9999999999.99"))["monto"] == 9999999999.99
    assert (await pagar(pendiente, monto=12))["monto"] == 12


async def test_cliente_debe_ser_el_del_pendiente(http, h, pendiente, otro_cliente, pagar):
    r = await http.post("/api/pagos", json=cuerpo(pendiente, clienteId=otro_cliente), headers=h["tecnico"])
    assert r.status_code == 422 and campo(r) == "clienteId"
    r = await http.post("/api/pagos", json=cuerpo(pendiente, clienteId=2**62), headers=h["tecnico"])
    assert r.status_code == 422 and campo(r) == "clienteId"
    # Absent: taken from the pendiente.
    leido = await http.get(f"/api/pendientes/{pendiente}", headers=h["tecnico"])
    propio = leido.json()["data"]["idCliente"]
    assert (await pagar(pendiente))["clienteId"] == propio
    assert (await pagar(pendiente, clienteId=propio))["clienteId"] == propio


@pytest.mark.parametrize(
    ("cambio", "nombre"),
    [
        ({"metodoPago": "TARJETA"}, "metodoPago"),
        ({"metodoPago": None}, "metodoPago"),
        ({"fechaPago": "2026-13-01"}, "fechaPago"),
        ({"pendienteId": 0}, "pendienteId"),
        ({"pendienteId": "x"}, "pendienteId"),
        ({"clienteId": -3}, "clienteId"),
        ({"referencia": "x" * 256}, "referencia"),
    ],
)
async def test_422_nombra_el_campo(http, h, pendiente, cambio, nombre):
    r = await http.post("/api/pagos", json=cuerpo(pendiente, **cambio), headers=h["tecnico"])
    assert r.status_code == 422, r.text
    assert campo(r) == nombre


@pytest.mark.parametrize("fecha", ["0001-01-01", "1900-06-15", "1999-12-31"])
async def test_fecha_anterior_a_2000_se_rechaza(http, h, pendiente, pagar, fecha):
    r = await http.post("/api/pagos", json=cuerpo(pendiente, fechaPago=fecha), headers=h["tecnico"])
    assert r.status_code == 422 and campo(r) == "fechaPago", r.text
    pago = await pagar(pendiente)
    r = await http.put(f"/api/pagos/{pago['id']}", json={"fechaPago": fecha}, headers=h["tecnico"])
    assert r.status_code == 422 and campo(r) == "fechaPago", r.text
    # The first day allowed.
    assert (await pagar(pendiente, fechaPago="2000-01-01"))["fechaPago"] == "2000-01-01"


async def test_solo_quien_registro_o_un_administrador_cambian_el_pago(http, h, pendiente, pagar, cuenta):
    """Accounting registers a payment on the technician's pendiente: the technician (who sees the
    pendiente and holds REGISTRAR_PAGO) may neither edit nor annul it; accounting and ADMINISTRAR may."""
    pago = await pagar(pendiente, rol="contabilidad", referencia="OP-CONT")
    url = f"/api/pagos/{pago['id']}"
    otro_cobrador = await cuenta("REGISTRAR_PAGO", "VER_TODOS")
    for headers in (h["tecnico"], otro_cobrador):
        editar = await http.put(url, json={"monto": "1.00"}, headers=headers)
        anular = await http.delete(url, headers=headers)
        for r in (editar, anular):
            assert r.status_code == 403, r.text
            assert (
                r.json()["message"]
                == "solo quien registró el pago o un administrador pueden cambiarlo o anularlo"
            )
            assert "ADMINISTRAR" in r.json()["data"]["permisos"]
    assert (await http.get(url, headers=h["contabilidad"])).json()["data"] == pago  # untouched
    r = await http.put(url, json={"monto": "55.00"}, headers=h["contabilidad"])
    assert r.status_code == 200 and r.json()["data"]["monto"] == 55.0
    assert (await http.delete(url, headers=h["administrador"])).status_code == 200
    assert (await http.get(url, headers=h["contabilidad"])).status_code == 404


async def test_fecha_por_defecto_hoy_y_nunca_futura(http, h, pendiente, pagar):
    manana = (HOY() + timedelta(days=1)).isoformat()
    r = await http.post("/api/pagos", json=cuerpo(pendiente, fechaPago=manana), headers=h["tecnico"])
    assert r.status_code == 422 and campo(r) == "fechaPago"
    assert (await pagar(pendiente, fechaPago="2026-01-15"))["fechaPago"] == "2026-01-15"


async def test_registrar_pendiente_desconocido_ajeno_o_sin_permiso(http, h, pendiente, cuenta):
    r = await http.post("/api/pagos", json=cuerpo(2**62), headers=h["tecnico"])
    assert r.status_code == 404 and campo(r) == "pendienteId"
    # The second technician holds REGISTRAR_PAGO but the pendiente is not his.
    assert (await http.post("/api/pagos", json=cuerpo(pendiente), headers=h["tecnico2"])).status_code == 403
    # The dispatcher sees it but may not register payments.
    r = await http.post("/api/pagos", json=cuerpo(pendiente), headers=h["coordinadora"])
    assert r.status_code == 403 and "REGISTRAR_PAGO" in r.json()["data"]["permisos"]
    # A user without a linked empleado cannot be the registrant.
    sin_empleado = await cuenta("REGISTRAR_PAGO", "VER_TODOS", con_empleado=False)
    assert (await http.post("/api/pagos", json=cuerpo(pendiente), headers=sin_empleado)).status_code == 403
    assert (await http.post("/api/pagos", json=cuerpo(pendiente))).status_code == 401


async def test_contabilidad_registra_en_cualquier_pendiente(http, h, crear, empleado, pagar):
    ajeno = await crear("FINALIZADO", tecnico=1)
    pago = await pagar(ajeno, rol="contabilidad", metodoPago="BCP")
    assert pago["empleadoId"] == empleado["contabilidad"]


async def test_obtener_por_id(http, h, pendiente, pagar):
    pago = await pagar(pendiente)
    for rol in ("tecnico", "contabilidad", "coordinadora", "administrador"):
        r = await http.get(f"/api/pagos/{pago['id']}", headers=h[rol])
        assert r.status_code == 200 and r.json()["data"] == pago, rol
    assert (await http.get(f"/api/pagos/{pago['id']}", headers=h["tecnico2"])).status_code == 403
    assert (await http.get("/api/pagos/999999999", headers=h["tecnico"])).status_code == 404
    assert (await http.get("/api/pagos/0", headers=h["tecnico"])).status_code == 422


async def test_quien_registro_sigue_viendo_su_pago(http, h, crear, pagar, empleado):
    pendiente = await crear("ASIGNADO")
    pago = await pagar(pendiente)
    # Reassigned to the second technician: the first no longer sees the pendiente, but his payment yes.
    r = await http.post(
        f"/api/pendientes/{pendiente}/acciones/asignar",
        json={"tecnicoId": empleado["tecnico2"]},
        headers=h["coordinadora"],
    )
    assert r.status_code == 200, r.text
    assert (await http.get(f"/api/pendientes/{pendiente}", headers=h["tecnico"])).status_code == 403
    assert (await http.get(f"/api/pagos/{pago['id']}", headers=h["tecnico"])).status_code == 200
    assert (await http.get(f"/api/pagos/{pago['id']}", headers=h["tecnico2"])).status_code == 200


async def test_listado_paginado_filtrado_y_visible(http, h, crear, pagar, cuenta):
    propio = await crear("EN_PROGRESO")
    ajeno = await crear("EN_PROGRESO", tecnico=1)
    a = await pagar(propio, metodoPago="BCP", fechaPago="2026-01-10", monto="10.00")
    b = await pagar(propio, metodoPago="EFECTIVO", fechaPago="2026-01-20", monto="20.00")
    c = await pagar(ajeno, rol="tecnico2", metodoPago="BCP", fechaPago="2026-01-15")

    r = await http.get(f"/api/pagos?pendienteId={propio}&size=1&sort=monto,desc", headers=h["tecnico"])
    assert r.status_code == 200, r.text
    pagina = r.json()["data"]
    assert pagina["totalElements"] == 2 and pagina["totalPages"] == 2 and pagina["size"] == 1
    assert pagina["first"] is True and pagina["last"] is False and pagina["number"] == 0
    assert [p["id"] for p in pagina["content"]] == [b["id"]]

    def ids(r) -> set[int]:
        assert r.status_code == 200, r.text
        return {p["id"] for p in r.json()["data"]["content"]}

    todos = f"/api/pagos?size=100&clienteId={a['clienteId']}&desde=2026-01-01&hasta=2026-01-31"
    assert {a["id"], b["id"], c["id"]} <= ids(await http.get(todos, headers=h["contabilidad"]))
    # A technician sees only the payments of his pendientes.
    vistos = ids(await http.get(todos, headers=h["tecnico"]))
    assert {a["id"], b["id"]} <= vistos and c["id"] not in vistos
    assert c["id"] in ids(await http.get(todos, headers=h["tecnico2"]))
    metodo = ids(await http.get(f"/api/pagos?pendienteId={propio}&metodoPago=BCP", headers=h["tecnico"]))
    assert metodo == {a["id"]}
    rango = f"/api/pagos?pendienteId={propio}&desde=2026-01-15&hasta=2026-01-25"
    assert ids(await http.get(rango, headers=h["tecnico"])) == {b["id"]}

    for consulta, nombre in [
        ("sort=referenciaSecreta", "sort"),
        ("desde=2026-02-01&hasta=2026-01-01", "hasta"),
        ("metodoPago=CHEQUE", "metodoPago"),
        ("clienteId=abc", "clienteId"),
        ("size=1000", "size"),
    ]:
        r = await http.get(f"/api/pagos?{consulta}", headers=h["tecnico"])
        assert r.status_code == 422 and campo(r) == nombre, consulta
    nadie = await cuenta("GESTIONAR_CLIENTES")
    assert (await http.get("/api/pagos", headers=nadie)).status_code == 403


async def test_pagos_de_un_pendiente(http, h, pendiente, pagar):
    primero = await pagar(pendiente, fechaPago="2026-01-02")
    segundo = await pagar(pendiente, fechaPago="2026-01-01")
    r = await http.get(f"/api/pagos/pendiente/{pendiente}", headers=h["tecnico"])
    assert r.status_code == 200
    assert [p["id"] for p in r.json()["data"]] == [segundo["id"], primero["id"]]
    assert (await http.get(f"/api/pagos/pendiente/{pendiente}", headers=h["tecnico2"])).status_code == 403
    assert (await http.get("/api/pagos/pendiente/999999999", headers=h["tecnico"])).status_code == 404
    vacio = await http.get(f"/api/pagos/pendiente/{pendiente}", headers=h["red"])
    assert len(vacio.json()["data"]) == 2  # VER_TODOS reads


async def test_editar_parcial_con_historial(http, h, pendiente, pagar, historial_de, empleado):
    pago = await pagar(pendiente, referencia="OP-1", rol="tecnico")
    # An administrator may edit a payment someone else registered.
    r = await http.put(
        f"/api/pagos/{pago['id']}", json={"monto": "60.00", "empleadoId": 1}, headers=h["administrador"]
    )
    assert r.status_code == 200, r.text
    editado = r.json()["data"]
    assert editado == {**pago, "monto": 60.0}  # only monto changed; the registrant stays
    [entrada] = await historial_de(pendiente, "pago_editado")
    assert entrada.empleado_id == empleado["administrador"]
    assert entrada.detalles == f"pago {pago['id']}: monto 50.00 → 60.00"

    r = await http.put(f"/api/pagos/{pago['id']}", json={"referencia": None}, headers=h["tecnico"])
    assert r.json()["data"]["referencia"] is None
    # The same values again change nothing and write nothing.
    r = await http.put(f"/api/pagos/{pago['id']}", json={"monto": 60}, headers=h["tecnico"])
    assert r.status_code == 200
    assert len(await historial_de(pendiente, "pago_editado")) == 2


async def test_editar_aplica_las_reglas(http, h, pendiente, pagar, otro_cliente, crear):
    pago = await pagar(pendiente)
    url = f"/api/pagos/{pago['id']}"
    for cambio, nombre in [
        ({"monto": 0}, "monto"),
        ({"monto": "1.234"}, "monto"),
        ({"monto": None}, "monto"),
        ({"fechaPago": None}, "fechaPago"),
        ({"metodoPago": None}, "metodoPago"),
        ({"clienteId": otro_cliente}, "clienteId"),
        ({"pendienteId": None}, "pendienteId"),
    ]:
        r = await http.put(url, json=cambio, headers=h["tecnico"])
        assert r.status_code == 422 and campo(r) == nombre, (cambio, r.text)
    assert (await http.put(url, json={"pendienteId": 2**62}, headers=h["tecnico"])).status_code == 404
    ajeno = await crear("EN_PROGRESO", tecnico=1)
    assert (await http.put(url, json={"pendienteId": ajeno}, headers=h["tecnico"])).status_code == 403
    assert (await http.put(url, json={"monto": 1}, headers=h["tecnico2"])).status_code == 403
    assert (await http.put(url, json={"monto": 1}, headers=h["coordinadora"])).status_code == 403
    desconocido = await http.put("/api/pagos/999999999", json={"monto": 1}, headers=h["tecnico"])
    assert desconocido.status_code == 404
    assert (await http.get(url, headers=h["tecnico"])).json()["data"] == pago


async def test_mover_pago_de_pendiente_anota_en_ambos(http, h, pendiente, crear, pagar, historial_de):
    pago = await pagar(pendiente)
    destino = await crear("POR_VALIDAR")
    r = await http.put(f"/api/pagos/{pago['id']}", json={"pendienteId": destino}, headers=h["tecnico"])
    assert r.status_code == 200 and r.json()["data"]["pendienteId"] == destino
    assert len(await historial_de(pendiente, "pago_editado")) == 1
    [entrada] = await historial_de(destino, "pago_editado")
    assert entrada.estado == "POR_VALIDAR"
    assert f"pendienteId {pendiente} → {destino}" in entrada.detalles


async def test_anular_es_baja_logica(http, h, pendiente, pagar, historial_de, fila):
    pago = await pagar(pendiente, referencia="OP-9")
    url = f"/api/pagos/{pago['id']}"
    assert (await http.delete(url, headers=h["coordinadora"])).status_code == 403
    assert (await http.delete(url, headers=h["tecnico2"])).status_code == 403
    r = await http.delete(url, headers=h["tecnico"])
    assert r.status_code == 200 and r.json()["data"] is None
    assert (await http.get(url, headers=h["tecnico"])).status_code == 404
    assert (await http.put(url, json={"monto": 1}, headers=h["tecnico"])).status_code == 404
    assert (await http.delete(url, headers=h["tecnico"])).status_code == 404
    lista = (await http.get(f"/api/pagos/pendiente/{pendiente}", headers=h["tecnico"])).json()["data"]
    assert pago["id"] not in [p["id"] for p in lista]
    pagina = (await http.get(f"/api/pagos?pendienteId={pendiente}", headers=h["tecnico"])).json()["data"]
    assert pago["id"] not in [p["id"] for p in pagina["content"]]
    assert (await fila(m.Pago, pago["id"])).vigente is False
    [entrada] = await historial_de(pendiente, "pago_anulado")
    assert entrada.detalles == f"pago {pago['id']} anulado: S/ 50.00 EFECTIVO ref OP-9"
