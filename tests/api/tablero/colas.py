"""Helpers of the work-queue screen tests (Mis pendientes, Red, Validación): pendientes made and moved
through the JSON API, a technician of one test's own, and reading a page's cards and forms."""

from __future__ import annotations

import html as html_lib
import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx

LIMA = ZoneInfo("America/Lima")
PASSWORD = "clave-de-prueba-123"


async def crear_pendiente(http, h, fecha: datetime | None, tipo: str = "AVERIA", detalle=None) -> int:
    clientes = (await http.get("/api/clientes?size=1&sort=id,asc", headers=h["coordinadora"])).json()
    cuerpo = {
        "clienteId": clientes["data"]["content"][0]["id"],
        "tipo": tipo,
        "lugar": "JULIACA",
        "prioridad": "MEDIA",
        "direccion": f"Jr. Prueba {uuid.uuid4().hex[:6]}",
        "detalle": detalle or {"descripcionFalla": "sin señal desde ayer"},
    }
    if fecha is not None:
        cuerpo["fechaPendiente"] = fecha.astimezone(LIMA).replace(tzinfo=None).isoformat(timespec="seconds")
    r = await http.post("/api/pendientes", json=cuerpo, headers=h["coordinadora"])
    assert r.status_code == 201, r.text
    return r.json()["data"]["id"]


async def accion(http, cabeceras, pendiente_id: int, nombre: str, **datos) -> dict:
    r = await http.post(f"/api/pendientes/{pendiente_id}/acciones/{nombre}", json=datos, headers=cabeceras)
    assert r.status_code == 200, r.text
    return r.json()["data"]


async def leer(http, h, pendiente_id: int) -> dict:
    r = await http.get(f"/api/pendientes/{pendiente_id}", headers=h["administrador"])
    assert r.status_code == 200, r.text
    return r.json()["data"]


async def tecnico_nuevo(http, h) -> dict:
    """A technician (the demo's `tecnico` role) with an empleado of their own, so what their screen lists
    is exactly what this test assigned them. Returns dni, empleadoId and the bearer headers."""
    sufijo = uuid.uuid4().hex[:8]
    cargos = (await http.get("/api/empleados/cargos", headers=h["administrador"])).json()["data"]
    cuerpo = {"nombre": f"Tec {sufijo}", "cargoId": cargos[0]["id"], "fechaIngreso": "2025-01-02"}
    r = await http.post("/api/empleados", json=cuerpo, headers=h["administrador"])
    assert r.status_code == 201, r.text
    empleado_id = r.json()["data"]["id"]
    dni = f"{uuid.uuid4().int % 10**8:08d}"
    usuario = {
        "nombre": f"Tecnico {sufijo}",
        "dni": dni,
        "email": f"t{sufijo}@simax.pe",
        "password": PASSWORD,
        "idRol": "tecnico",
        "empleadoId": empleado_id,
    }
    r = await http.post("/api/usuarios", json=usuario, headers=h["administrador"])
    assert r.status_code == 201, r.text
    r = await http.post("/auth", json={"dni": dni, "password": PASSWORD})
    assert r.status_code == 200, r.text
    cabeceras = {"Authorization": f"Bearer {r.json()['data']['token']}"}
    return {"dni": dni, "nombre": usuario["nombre"], "empleadoId": empleado_id, "h": cabeceras}


async def ingresar_como(cliente: httpx.AsyncClient, dni: str, password: str = PASSWORD) -> None:
    formulario = await cliente.get("/tablero/login")
    datos = {"dni": dni, "password": password, "csrf": csrf(formulario.text)}
    r = await cliente.post("/tablero/login", data=datos)
    assert r.status_code == 303, r.text


def csrf(pagina: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', pagina).group(1)


def tarjeta(pagina: str, pendiente_id: int) -> str | None:
    """The HTML of the card of this pendiente on a queue page, or None if it is not there."""
    encontrado = re.search(rf'<article [^>]*id="pendiente-{pendiente_id}".*?</article>', pagina, re.S)
    return encontrado.group(0) if encontrado else None


def ids_en(pagina: str) -> list[int]:
    return [int(i) for i in re.findall(r'<article [^>]*id="pendiente-(\d+)"', pagina)]


def grupo_de(pagina: str, pendiente_id: int) -> str | None:
    """The day group ("Hoy", "Próximos"...) whose section holds the pendiente's card."""
    secciones = re.findall(r'<section class="grupo" data-grupo="([^"]+)">(.*?)</section>', pagina, re.S)
    for nombre, cuerpo in secciones:
        if pendiente_id in ids_en(cuerpo):
            return html_lib.unescape(nombre)
    return None


def acciones_de(pagina: str, pendiente_id: int) -> set[str]:
    """The actions whose form the card offers."""
    return set(re.findall(rf'action="/tablero/pendientes/{pendiente_id}/acciones/(\w+)"', pagina))


def formulario(pagina: str, pendiente_id: int, nombre: str) -> dict[str, str]:
    """The hidden fields of the card's form for this action, as the browser would send them."""
    forma = re.search(
        rf'<form [^>]*action="/tablero/pendientes/{pendiente_id}/acciones/{nombre}".*?</form>', pagina, re.S
    )
    assert forma, f"no form for {nombre} on {pendiente_id}"
    ocultos = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', forma.group(0))
    return {k: html_lib.unescape(v) for k, v in ocultos}
