"""`GET /api/pendientes/{id}/pdf` end to end: a work order built through the API (detail, PPPoE with a
password, a note with a photo, payments, items), then its PDF fetched by several roles, its text read back
with pypdf and its first page drawn with pypdfium2. Totals and times are computed here from what the test
sent, not from the code under test."""

from __future__ import annotations

import base64
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pypdfium2
import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from db import models as m

LIMA = ZoneInfo("America/Lima")
CLAVE_PPPOE = "Clave-PPPoE-9f3k2"
DIRECCION = "Jr. Los Incas 318, barrio Bellavista, Juliaca"
VELOCIDAD = "200 Mbps simétricos"
NOTA = "ONU reemplazada, potencia óptica -19 dBm"
ITEMS = [(3, Decimal("12.35"), "Conector SC/APC"), (25, Decimal("0.80"), "Cable drop")]
PAGOS = [(Decimal("47.00"), "EFECTIVO", "REC-0047"), (Decimal("10.50"), "BCP", "OP-88812")]
A4_PUNTOS = (595.28, 841.89)


def _foto() -> bytes:
    salida = io.BytesIO()
    imagen = Image.new("RGB", (480, 320), "white")
    imagen.paste((0, 0, 0), (40, 40, 440, 280))
    imagen.save(salida, format="PNG")
    return salida.getvalue()


def _texto(pdf: bytes) -> str:
    lector = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(p.extract_text() or "" for p in lector.pages).split())


def _soles(valor: Decimal) -> str:
    return f"S/ {valor:,.2f}"


async def _ok(respuesta, estado: int = 200):
    assert respuesta.status_code == estado, respuesta.text
    return respuesta.json()["data"]


@pytest.fixture(scope="module")
async def orden(http, h, sessions, empleado) -> dict:
    """An internet installation for WINEX with everything the document prints."""
    async with sessions() as s:
        cliente = await s.scalar(select(m.Cliente).where(m.Cliente.codigo_cliente == "CLI000004"))
    alta = {
        "clienteId": cliente.id, "tipo": "INSTALACION_INTERNET", "lugar": "JULIACA", "prioridad": "URGENTE",
        "empresa": "WINEX", "direccion": DIRECCION,
        "detalle": {"velocidadSolicitada": VELOCIDAD, "costoFijo": 80.0, "tipoInstalacion": "FIBRA"},
    }  # fmt: skip
    pendiente = await _ok(await http.post("/api/pendientes", json=alta, headers=h["coordinadora"]), 201)
    pid = pendiente["id"]
    acciones = f"/api/pendientes/{pid}/acciones"
    await _ok(
        await http.post(
            f"{acciones}/asignar", json={"tecnicoId": empleado["tecnico"]}, headers=h["coordinadora"]
        )
    )
    await _ok(await http.post(f"{acciones}/comenzar", json={}, headers=h["tecnico"]))
    pppoe = {"pppoeUser": f"winex_{pid}", "pppoePassword": CLAVE_PPPOE}
    await _ok(
        await http.put(f"/api/pendientes/{pid}/instalacion-internet/pppoe", json=pppoe, headers=h["red"])
    )
    nota = await _ok(
        await http.post("/api/notas", json={"pendienteId": pid, "nota": NOTA}, headers=h["tecnico"]), 201
    )
    subida = await http.post(
        f"/api/notas/{nota['id']}/imagenes/upload", files=[("files", ("onu.png", _foto(), "image/png"))],
        headers=h["tecnico"],
    )  # fmt: skip
    await _ok(subida, 201)
    productos = (await _ok(await http.get("/api/productos?size=2", headers=h["coordinadora"])))["content"]
    for (cantidad, precio, descripcion), producto in zip(ITEMS, productos, strict=True):
        item = {"pendienteId": pid, "productoId": producto["id"], "cantidad": cantidad,
                "costoUnitario": str(precio), "descripcion": descripcion}  # fmt: skip
        await _ok(
            await http.post("/api/productos/pendientes/items", json=item, headers=h["coordinadora"]), 201
        )
    for monto, metodo, referencia in PAGOS:
        pago = {"pendienteId": pid, "monto": str(monto), "metodoPago": metodo, "referencia": referencia}
        await _ok(await http.post("/api/pagos", json=pago, headers=h["contabilidad"]), 201)
    async with sessions() as s:
        cifrada = await s.scalar(
            select(m.PendienteInstalacionInternet.pppoe_password_cifrado).where(
                m.PendienteInstalacionInternet.pendiente_id == pid
            )
        )
        historial = list(
            (
                await s.execute(
                    select(m.Historial.fecha_creacion, m.Historial.actor_nombre, m.Historial.accion)
                    .where(m.Historial.pendiente_id == pid)
                    .order_by(m.Historial.id)
                )
            ).all()
        )
    return {"id": pid, "cliente": cliente, "cifrada": cifrada, "historial": historial}


async def _pdf(http, pendiente_id: int, headers) -> bytes:
    r = await http.get(f"/api/pendientes/{pendiente_id}/pdf", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == f'attachment; filename="pendiente-{pendiente_id}.pdf"'
    assert r.content.startswith(b"%PDF-")
    return r.content


async def test_el_pdf_de_despacho_tiene_toda_la_orden(http, h, orden):
    pdf = await _pdf(http, orden["id"], h["coordinadora"])
    texto = _texto(pdf)
    cliente = orden["cliente"]

    assert texto.startswith("WINEX") and f"Pendiente N.º {orden['id']}" in texto
    documento = f"{cliente.tipo_documento} {cliente.numero_documento}"  # RUC 20…: a company
    for dato in (cliente.nombre, documento, cliente.telefono, DIRECCION):
        assert dato in texto, dato
    assert "Instalación de internet" in texto and VELOCIDAD in texto and "FIBRA" in texto
    assert f"winex_{orden['id']}" in texto and "Edwin Mamani" in texto and "EN_PROGRESO" in texto
    # The history, each entry at its Lima time with its actor and action.
    assert len(orden["historial"]) >= 4
    for cuando, actor, accion in orden["historial"]:
        assert cuando.tzinfo is not None
        assert f"{cuando.astimezone(LIMA):%d/%m/%Y %H:%M}" in texto
        # Actions print with spaces ("configurar pppoe"), so a narrow column can wrap them.
        assert actor in texto and accion.replace("_", " ") in texto, (actor, accion)
    assert NOTA in texto
    # Items and payments, with totals computed from what the test sent.
    for cantidad, precio, descripcion in ITEMS:
        assert descripcion in texto and _soles(cantidad * precio) in texto
    assert f"Total de materiales y servicios: {_soles(sum(c * p for c, p, _ in ITEMS))}" in texto
    assert all(referencia in texto for _, _, referencia in PAGOS)
    assert f"Total pagado: {_soles(sum(monto for monto, _, _ in PAGOS))}" in texto
    assert "Firma del cliente" in texto and "Firma del técnico" in texto and "DNI:" in texto
    # The photo is in the document; the PPPoE password is not, neither in clear nor encrypted.
    assert sum(len(p.images) for p in PdfReader(io.BytesIO(pdf)).pages) == 1
    assert CLAVE_PPPOE not in texto and orden["cifrada"] and orden["cifrada"] not in texto
    assert CLAVE_PPPOE.encode() not in pdf and orden["cifrada"].encode() not in pdf


async def test_la_primera_pagina_es_a4_y_tiene_contenido(http, h, orden):
    documento = pypdfium2.PdfDocument(await _pdf(http, orden["id"], h["coordinadora"]))
    pagina = documento[0]
    assert tuple(round(v, 2) for v in pagina.get_size()) == A4_PUNTOS
    gris = pagina.render(scale=1).to_pil().convert("L")
    assert sum(gris.histogram()[:128]) > 2000  # dark pixels: text and rules, not a blank sheet
    documento.close()


async def test_el_tecnico_asignado_lo_descarga_sin_historial_ni_clave(http, h, orden):
    """The technician sees the password through the API, but the printed order never carries it; the
    history needs VER_HISTORIAL, which a technician lacks."""
    texto = _texto(await _pdf(http, orden["id"], h["tecnico"]))

    assert orden["cliente"].nombre in texto and NOTA in texto
    assert CLAVE_PPPOE not in texto
    assert "VER_HISTORIAL" in texto and "configurar_pppoe" not in texto


async def test_contabilidad_tambien(http, h, orden):
    assert _soles(Decimal("57.50")) in _texto(await _pdf(http, orden["id"], h["contabilidad"]))


async def test_quien_no_ve_el_pendiente_no_recibe_el_pdf(http, h, orden):
    otro = await http.get(f"/api/pendientes/{orden['id']}/pdf", headers=h["tecnico2"])
    assert otro.status_code == 403 and otro.headers["content-type"].startswith("application/json")
    assert orden["cliente"].nombre not in otro.text
    sin_token = await http.get(f"/api/pendientes/{orden['id']}/pdf")
    assert sin_token.status_code == 401
    desconocido = await http.get("/api/pendientes/999999999/pdf", headers=h["coordinadora"])
    assert desconocido.status_code == 404


async def test_formato_base64(http, h, orden):
    r = await http.get(f"/api/pendientes/{orden['id']}/pdf?formato=base64", headers=h["coordinadora"])
    data = await _ok(r)
    assert data["nombre"] == f"pendiente-{orden['id']}.pdf" and data["contentType"] == "application/pdf"
    assert orden["cliente"].nombre in _texto(base64.b64decode(data["base64"]))
    malo = await http.get(f"/api/pendientes/{orden['id']}/pdf?formato=xml", headers=h["coordinadora"])
    assert malo.status_code == 422 and malo.json()["data"]["campo"] == "formato"


async def test_una_foto_borrada_del_disco_no_rompe_el_pdf(http, h, crear, carpeta_uploads):
    pid = await crear("EN_PROGRESO")
    nota = await _ok(
        await http.post("/api/notas", json={"pendienteId": pid, "nota": "foto"}, headers=h["tecnico"]), 201
    )
    subida = await http.post(
        f"/api/notas/{nota['id']}/imagenes/upload", files=[("files", ("x.png", _foto(), "image/png"))],
        headers=h["tecnico"],
    )  # fmt: skip
    url = (await _ok(subida, 201))[0]["url"]
    (carpeta_uploads / "notas" / url.rsplit("/", 1)[1]).unlink()

    texto = _texto(await _pdf(http, pid, h["coordinadora"]))

    assert f"[imagen no disponible: {url.rsplit('/', 1)[1]}]" in texto
