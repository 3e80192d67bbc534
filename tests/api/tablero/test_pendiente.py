"""The Pendiente screen: a work order built through the JSON API (detail, PPPoE with a password, a note
with a photo, an item, payments), then its page read by several roles. Expected values come from what the
test sent; the allowed actions from GET /api/pendientes/{id}/acciones, the rule the buttons must follow."""

from __future__ import annotations

import io
import re
from contextlib import asynccontextmanager
from decimal import Decimal

import httpx
import pytest
from PIL import Image
from sqlalchemy import select

from db import models as m
from ops.demo import PASSWORD_DEMO
from tests.api.tablero.conftest import csrf_de

CLAVE_PPPOE = "Clave-Tablero-7h2q"
VELOCIDAD = "300 Mbps del tablero"
NOTA = "Potencia óptica revisada en la caja terminal"
ITEM = (4, Decimal("7.25"), "Conector del tablero")
PAGO = (Decimal("33.40"), "EFECTIVO", "REC-TAB-0033")
SECCIONES = ("cabecera", "detalle", "red", "historial", "notas", "pagos", "items", "acciones")


def _png() -> bytes:
    salida = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(salida, format="PNG")
    return salida.getvalue()


async def _ok(respuesta, estado: int = 200):
    assert respuesta.status_code == estado, respuesta.text
    return respuesta.json()["data"]


@pytest.fixture(scope="module")
async def orden(http, h, sessions, personas) -> dict:
    """An internet installation assigned to the first technician, started, with PPPoE configured."""
    async with sessions() as s:
        cliente = await s.scalar(select(m.Cliente).where(m.Cliente.codigo_cliente == "CLI000003"))
    alta = {
        "clienteId": cliente.id, "tipo": "INSTALACION_INTERNET", "lugar": "PUNO", "prioridad": "URGENTE",
        "direccion": "Jr. Arequipa 880, segundo piso",
        "detalle": {"velocidadSolicitada": VELOCIDAD, "tipoInstalacion": "FIBRA"},
    }  # fmt: skip
    pid = (await _ok(await http.post("/api/pendientes", json=alta, headers=h["coordinadora"]), 201))["id"]
    acciones = f"/api/pendientes/{pid}/acciones"
    tecnico = personas.tecnicos[0].empleado_id
    await _ok(await http.post(f"{acciones}/asignar", json={"tecnicoId": tecnico}, headers=h["coordinadora"]))
    await _ok(await http.post(f"{acciones}/comenzar", json={}, headers=h["tecnico"]))
    pppoe = {"pppoeUser": f"tablero_{pid}", "pppoePassword": CLAVE_PPPOE}
    red = f"/api/pendientes/{pid}/instalacion-internet/pppoe"
    await _ok(await http.put(red, json=pppoe, headers=h["red"]))
    nota = await _ok(
        await http.post("/api/notas", json={"pendienteId": pid, "nota": NOTA}, headers=h["tecnico"]), 201
    )
    subida = await http.post(
        f"/api/notas/{nota['id']}/imagenes/upload", files=[("files", ("caja.png", _png(), "image/png"))],
        headers=h["tecnico"],
    )  # fmt: skip
    imagen = (await _ok(subida, 201))[0]
    producto = (await _ok(await http.get("/api/productos?size=1", headers=h["coordinadora"])))["content"][0]
    cantidad, precio, descripcion = ITEM
    item = {"pendienteId": pid, "productoId": producto["id"], "cantidad": cantidad,
            "costoUnitario": str(precio), "descripcion": descripcion}  # fmt: skip
    await _ok(await http.post("/api/productos/pendientes/items", json=item, headers=h["coordinadora"]), 201)
    monto, metodo, referencia = PAGO
    pago = {"pendienteId": pid, "monto": str(monto), "metodoPago": metodo, "referencia": referencia}
    await _ok(await http.post("/api/pagos", json=pago, headers=h["contabilidad"]), 201)
    async with sessions() as s:
        cifrada = await s.scalar(
            select(m.PendienteInstalacionInternet.pppoe_password_cifrado).where(
                m.PendienteInstalacionInternet.pendiente_id == pid
            )
        )
    return {
        "id": pid,
        "cliente": cliente,
        "cifrada": cifrada,
        "archivo": imagen["url"].rsplit("/", 1)[-1],
        "png": _png(),
    }


@asynccontextmanager
async def _como(app, dni: str):
    """A second browser (its own cookies) logged in as this demo user."""
    transporte = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transporte, base_url="http://pendientes.test") as c:
        formulario = await c.get("/tablero/login")
        datos = {"dni": dni, "password": PASSWORD_DEMO, "csrf": csrf_de(formulario.text)}
        assert (await c.post("/tablero/login", data=datos)).status_code == 303
        yield c


def _seccion(html: str, nombre: str) -> str:
    inicio = html.index(f'id="{nombre}"')
    return html[inicio : html.index("</section>", inicio)]


async def test_la_ficha_muestra_cabecera_detalle_red_historial_notas_pagos_e_items(
    navegante, ingresar, orden, http, h
):
    await ingresar("coordinadora")
    r = await navegante.get(f"/tablero/pendientes/{orden['id']}")
    assert r.status_code == 200, r.text
    for seccion in SECCIONES:
        assert f'id="{seccion}"' in r.text, seccion
    cliente = orden["cliente"]
    cabecera = _seccion(r.text, "cabecera")
    datos = (f"#{orden['id']}", cliente.nombre, cliente.codigo_cliente, cliente.telefono, "Puno", "Urgente")
    for dato in datos:
        assert dato in cabecera, dato
    assert "Jr. Arequipa 880, segundo piso" in cabecera and "En progreso" in cabecera
    assert "Edwin Mamani" in cabecera and "Carmen Condori" in cabecera  # técnico, registrado por
    assert f"/tablero/pendientes/{orden['id']}/pdf" in cabecera
    assert VELOCIDAD in _seccion(r.text, "detalle")
    assert f"tablero_{orden['id']}" in _seccion(r.text, "red")
    historial = _seccion(r.text, "historial")
    assert "Comenzar" in historial and "Edwin Mamani" in historial
    notas = _seccion(r.text, "notas")
    assert NOTA in notas and f'src="/tablero/imagenes/{orden["archivo"]}"' in notas
    monto, _, referencia = PAGO
    assert referencia in _seccion(r.text, "pagos") and f"S/ {monto}" in _seccion(r.text, "pagos")
    cantidad, precio, descripcion = ITEM
    items = _seccion(r.text, "items")
    assert descripcion in items and f"S/ {cantidad * precio:.2f}" in items
    # Ops only: the coordinator holds no ADMINISTRAR.
    assert "/namespaces/" not in r.text


async def test_los_botones_son_las_acciones_que_permite_la_api(navegante, ingresar, orden, http, h):
    for rol in ("coordinadora", "tecnico"):
        await ingresar(rol)
        pagina = await navegante.get(f"/tablero/pendientes/{orden['id']}")
        api = await _ok(await http.get(f"/api/pendientes/{orden['id']}/acciones", headers=h[rol]))
        botones = set(re.findall(rf'action="/tablero/pendientes/{orden["id"]}/acciones/(\w+)"', pagina.text))
        assert botones == set(api["acciones"]) and botones, rol


async def test_la_contrasena_pppoe_nunca_aparece(navegante, ingresar, orden):
    # The assigned technician and the network team may read it in clear from the API; the page masks it.
    for rol in ("coordinadora", "tecnico", "red", "administrador"):
        await ingresar(rol)
        r = await navegante.get(f"/tablero/pendientes/{orden['id']}")
        assert r.status_code == 200, rol
        assert CLAVE_PPPOE not in r.text and orden["cifrada"] not in r.text, rol
        assert "********" in _seccion(r.text, "red"), rol


async def test_el_historial_solo_con_ver_historial(navegante, ingresar, orden):
    await ingresar("tecnico")  # VER_DETALLE, EJECUTAR_TRABAJO, REGISTRAR_PAGO: no VER_HISTORIAL
    r = await navegante.get(f"/tablero/pendientes/{orden['id']}")
    assert r.status_code == 200 and 'id="historial"' not in r.text
    assert NOTA in r.text


async def test_el_enlace_a_temporal_solo_para_administrar(navegante, ingresar, orden, settings):
    await ingresar("administrador")
    r = await navegante.get(f"/tablero/pendientes/{orden['id']}")
    esperado = (
        f"http://127.0.0.1:{settings.temporal_ui_port}/namespaces/default/workflows/pendiente-{orden['id']}"
    )
    assert f'href="{esperado}"' in r.text


async def test_desconocido_es_404_y_ajeno_403(navegante, ingresar, orden, app, http, h):
    otro = {"clienteId": orden["cliente"].id, "tipo": "AVERIA", "lugar": "JULIACA", "prioridad": "BAJA",
            "direccion": "Dirección que el técnico no debe ver"}  # fmt: skip
    ajeno = (await _ok(await http.post("/api/pendientes", json=otro, headers=h["coordinadora"]), 201))["id"]
    await ingresar("tecnico")
    r = await navegante.get(f"/tablero/pendientes/{ajeno}")
    assert r.status_code == 403 and "Dirección que el técnico no debe ver" not in r.text
    assert (await navegante.get(f"/tablero/pendientes/{ajeno}/pdf")).status_code == 403
    r = await navegante.get("/tablero/pendientes/987654321")
    assert r.status_code == 404 and "no encontrado" in r.text
    # The second technician is not on the first one's order: page, PDF and photo refused.
    async with _como(app, "10000007") as segundo:
        r = await segundo.get(f"/tablero/pendientes/{orden['id']}")
        assert r.status_code == 403 and NOTA not in r.text
        assert (await segundo.get(f"/tablero/pendientes/{orden['id']}/pdf")).status_code == 403
        assert (await segundo.get(f"/tablero/imagenes/{orden['archivo']}")).status_code == 404


async def test_aviso_de_la_accion_aplicada(navegante, ingresar, orden):
    await ingresar("coordinadora")
    r = await navegante.get(f"/tablero/pendientes/{orden['id']}?hecho=asignar")
    assert "Acción «asignar» aplicada" in r.text
    r = await navegante.get(f"/tablero/pendientes/{orden['id']}?hecho=inventada")
    assert "aplicada" not in r.text


async def test_pdf_e_imagen_con_la_sesion_del_tablero(navegante, ingresar, orden):
    r = await navegante.get(f"/tablero/pendientes/{orden['id']}/pdf")
    assert r.status_code == 303 and r.headers["location"].startswith("/tablero/login")
    await ingresar("coordinadora")
    r = await navegante.get(f"/tablero/pendientes/{orden['id']}/pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    r = await navegante.get(f"/tablero/imagenes/{orden['archivo']}")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.content == orden["png"]
    assert (await navegante.get("/tablero/imagenes/no-existe.png")).status_code == 404
    assert (await navegante.get("/tablero/imagenes/..%2F..%2Fetc%2Fpasswd")).status_code == 404
