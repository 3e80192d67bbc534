"""The customer's tracking link, through the real API: dispatch gets it, the customer opens it with no
login and reads the state in plain Spanish and nothing about anyone's data."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest

from api.main import create_app
from domain.enums import EstadoPendiente, TipoPendiente
from domain.seguimiento_cliente import ESTADO_PARA_CLIENTE, TIPO_PARA_CLIENTE

LIMA = ZoneInfo("America/Lima")


def ruta(pendiente_id: int) -> str:
    return f"/api/pendientes/{pendiente_id}/seguimiento-cliente"


async def enlace(http, h, pendiente_id: int) -> dict:
    r = await http.get(ruta(pendiente_id), headers=h["coordinadora"])
    assert r.status_code == 200, r.text
    return r.json()["data"]


def camino(url: str) -> str:
    """The path of the link (the test client talks to the app, not to `url_publica`)."""
    return urlsplit(url).path


@contextmanager
def ajustes(app, **cambios):
    original = app.state.settings
    app.state.settings = original.model_copy(update=cambios)
    try:
        yield
    finally:
        app.state.settings = original


def test_cada_estado_y_tipo_tiene_palabras_para_el_cliente():
    assert set(ESTADO_PARA_CLIENTE) == set(EstadoPendiente)
    assert set(TIPO_PARA_CLIENTE) == set(TipoPendiente)


async def test_despacho_obtiene_un_enlace_largo_y_siempre_el_mismo(http, h, crear):
    pendiente_id = await crear("REGISTRADO")
    primero = await enlace(http, h, pendiente_id)
    segundo = await enlace(http, h, pendiente_id)

    assert primero == segundo
    assert primero["expira"] is None
    assert primero["url"].startswith("http://127.0.0.1:8000/seguimiento/")
    token = camino(primero["url"]).rsplit("/", 1)[1]
    assert len(token) >= 40  # 32 random bytes, base64url
    # Another pendiente gets another link.
    assert (await enlace(http, h, await crear("REGISTRADO")))["url"] != primero["url"]


async def test_un_tecnico_no_obtiene_ni_revoca_el_enlace(http, h, crear):
    pendiente_id = await crear("ASIGNADO")
    assert (await http.get(ruta(pendiente_id), headers=h["tecnico"])).status_code == 403
    assert (await http.delete(ruta(pendiente_id), headers=h["tecnico"])).status_code == 403
    assert (await http.get(ruta(pendiente_id))).status_code == 401
    assert (await http.get(ruta(99_999_999), headers=h["coordinadora"])).status_code == 404


async def test_pagina_y_json_sin_login_siguen_el_trabajo(http, h, crear, personas):
    pendiente_id = await crear("REGISTRADO", "AVERIA")
    url = camino((await enlace(http, h, pendiente_id))["url"])

    pagina = await http.get(url)
    json = await http.get(url + ".json")
    assert pagina.status_code == json.status_code == 200
    assert pagina.headers["content-type"].startswith("text/html")
    assert pagina.headers["cache-control"] == "no-store"
    assert pagina.headers["referrer-policy"] == "no-referrer"
    assert '<meta name="viewport"' in pagina.text and 'http-equiv="refresh" content="60"' in pagina.text
    assert "Recibimos tu pedido" in pagina.text and "Reparación de avería" in pagina.text
    datos = json.json()["data"]
    manana = (datetime.now(LIMA) + timedelta(days=1)).date().isoformat()
    assert datos["estado"] == "Recibimos tu pedido"
    assert datos["tipo"] == "Reparación de avería"
    assert datos["fechaProgramada"] == manana
    assert datos["tecnico"] is None
    assert set(datos) == {"tipo", "estado", "fechaProgramada", "tecnico", "actualizado"}
    antes = datetime.fromisoformat(datos["actualizado"])

    r = await http.post(
        f"/api/pendientes/{pendiente_id}/acciones/asignar",
        json={"tecnicoId": personas.tecnicos[0].empleado_id},
        headers=h["coordinadora"],
    )
    assert r.status_code == 200, r.text

    despues = (await http.get(url + ".json")).json()["data"]
    assert despues["estado"] == "Técnico asignado"
    assert despues["tecnico"] == "Edwin"  # first name only: "Edwin Mamani Coaquira" in the demo
    assert datetime.fromisoformat(despues["actualizado"]) > antes
    pagina = await http.get(url)
    assert "Técnico asignado" in pagina.text and "Edwin" in pagina.text
    assert "Mamani" not in pagina.text and "Coaquira" not in pagina.text


async def test_nada_del_cliente_ni_de_la_red_aparece(http, h, personas):
    marca = uuid.uuid4().hex[:6]
    cliente = {
        "tipoCliente": "PERSONA",
        "nombre": f"Eulogia Ninaraqui {marca}",
        "tipoDocumento": "DNI",
        "numeroDocumento": f"7{uuid.uuid4().int % 10**7:07d}",
        "codigoCliente": f"SEG{marca.upper()}",
        "direccion": f"Jr. Escondido {marca} 777",
        "telefono": "987654321",
        "email": f"eulogia.{marca}@correo.pe",
    }
    r = await http.post("/api/clientes", json=cliente, headers=h["coordinadora"])
    assert r.status_code == 201, r.text
    cliente_id = r.json()["data"]["id"]
    dia = (datetime.now(LIMA) + timedelta(days=3)).date().isoformat()
    cuerpo = {
        "clienteId": cliente_id,
        "tipo": "TRASLADO",
        "lugar": "PUNO",
        "prioridad": "URGENTE",
        "empresa": "SIMAX",
        "direccion": f"Av. Origen {marca} 101",
        "fechaPendiente": f"{dia}T09:30:00",
        "detalle": {"lugarDestino": "JULIACA", "direccionDestino": f"Jr. Destino {marca} 202"},
    }
    r = await http.post("/api/pendientes", json=cuerpo, headers=h["coordinadora"])
    assert r.status_code == 201, r.text
    pendiente_id = r.json()["data"]["id"]
    r = await http.post(
        f"/api/pendientes/{pendiente_id}/acciones/asignar",
        json={"tecnicoId": personas.tecnicos[0].empleado_id},
        headers=h["coordinadora"],
    )
    assert r.status_code == 200, r.text
    pppoe = {"pppoeUser": f"usr_{marca}", "pppoePassword": f"clave_{marca}"}
    r = await http.put(f"/api/pendientes/{pendiente_id}/traslado/pppoe", json=pppoe, headers=h["red"])
    assert r.status_code == 200, r.text
    r = await http.put(f"/api/pendientes/{pendiente_id}/traslado/vlan", json={"vlan": 3917}, headers=h["red"])
    assert r.status_code == 200, r.text

    url = camino((await enlace(http, h, pendiente_id))["url"])
    pagina = (await http.get(url)).text
    json = (await http.get(url + ".json")).text
    assert set(httpx.Response(200, text=json).json()["data"]) == {
        "tipo",
        "estado",
        "fechaProgramada",
        "tecnico",
        "actualizado",
    }
    assert "Traslado del servicio" in pagina and "Técnico asignado" in pagina

    secretos = [
        marca,  # in the name, code, addresses, email, PPPoE user and password
        cliente["numeroDocumento"],
        cliente["telefono"],
        "Eulogia",
        "Ninaraqui",
        "3917",
        "JULIACA",
        "PUNO",
        "URGENTE",
        "SIMAX",
        "951000006",  # the technician's phone
    ]
    for texto in (pagina, json):
        for secreto in secretos:
            assert secreto.lower() not in texto.lower(), secreto


async def test_revocar_deja_el_enlace_en_404_y_el_siguiente_es_otro(http, h, crear):
    pendiente_id = await crear("ASIGNADO")
    viejo = camino((await enlace(http, h, pendiente_id))["url"])
    assert (await http.get(viejo + ".json")).status_code == 200

    r = await http.delete(ruta(pendiente_id), headers=h["coordinadora"])
    assert r.status_code == 200, r.text

    assert (await http.get(viejo)).status_code == 404
    assert (await http.get(viejo + ".json")).status_code == 404
    nuevo = camino((await enlace(http, h, pendiente_id))["url"])
    assert nuevo != viejo
    assert (await http.get(nuevo + ".json")).status_code == 200


async def test_enlaces_desconocidos_dan_el_mismo_404(http):
    for token in ("x", "A" * 43, "no-existe_123"):
        pagina = await http.get(f"/seguimiento/{token}")
        json = await http.get(f"/seguimiento/{token}.json")
        assert pagina.status_code == json.status_code == 404, token
        assert "no es válido o ya venció" in pagina.text


@pytest.mark.parametrize("estado,palabras", [("FINALIZADO", "Trabajo terminado"), ("CANCELADO", "Cancelado")])
async def test_el_enlace_vence_tras_el_cierre(app, http, h, crear, estado, palabras):
    pendiente_id = await crear(estado)
    datos = await enlace(http, h, pendiente_id)
    url = camino(datos["url"])
    # Closed just now: still within the default 72 hours.
    vence = datetime.fromisoformat(datos["expira"])
    ahora = datetime.now(LIMA)
    assert ahora + timedelta(hours=71) < vence <= ahora + timedelta(hours=72)
    assert (await http.get(url + ".json")).json()["data"]["estado"] == palabras

    with ajustes(app, seguimiento_cliente_horas_tras_cierre=0):
        assert (await http.get(url)).status_code == 404
        assert (await http.get(url + ".json")).status_code == 404
        # An open pendiente's link is not affected by the setting.
        abierto = camino((await enlace(http, h, await crear("EN_PROGRESO")))["url"])
        assert (await http.get(abierto + ".json")).json()["data"]["estado"] == "En atención"


async def _al_comienzo_de_un_minuto() -> None:
    """The limit counts per clock minute: start where the few requests below all fit in one."""
    segundo = datetime.now(UTC).second
    if segundo > 45:
        await asyncio.sleep(61 - segundo)


async def test_demasiadas_consultas_desde_una_direccion_dan_429_en_todos_los_procesos(
    app, http, h, crear, settings, temporal_env
):
    url = camino((await enlace(http, h, await crear("REGISTRADO")))["url"])
    # A second API process on the same database: the count is one for both.
    otra_app = create_app(settings, temporal=temporal_env.client)
    await _al_comienzo_de_un_minuto()
    direccion = f"203.0.113.{uuid.uuid4().int % 250 + 1}"
    async with otra_app.router.lifespan_context(otra_app):
        with (
            ajustes(app, seguimiento_cliente_por_minuto=5),
            ajustes(otra_app, seguimiento_cliente_por_minuto=5),
        ):
            clientes = [
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=una, client=(direccion, 4000)),
                    base_url="http://pendientes.test",
                )
                for una in (app, otra_app)
            ]
            estados = [
                (await clientes[i % 2].get(url + (".json" if i % 3 else ""))).status_code for i in range(5)
            ]
            assert estados == [200] * 5
            for cliente in clientes:
                frenado = await cliente.get(url)
                assert frenado.status_code == 429
                assert 1 <= int(frenado.headers["retry-after"]) <= 60
                assert (await cliente.get("/seguimiento/desconocido.json")).status_code == 429
            for cliente in clientes:
                await cliente.aclose()
        # Another address is not held back.
        vecino = httpx.ASGITransport(app=app, client=("198.51.100.7", 4000))
        async with httpx.AsyncClient(transport=vecino, base_url="http://pendientes.test") as otro:
            assert (await otro.get(url + ".json")).status_code == 200


async def test_la_pagina_solo_admite_su_propio_estilo(http, h, crear):
    url = camino((await enlace(http, h, await crear("ASIGNADO")))["url"])
    for camino_pagina in (url, "/seguimiento/desconocido"):
        r = await http.get(camino_pagina)
        politica = dict(
            parte.strip().split(" ", 1) for parte in r.headers["content-security-policy"].split(";")
        )
        assert politica["default-src"] == "'none'" and politica["frame-ancestors"] == "'none'"
        assert "script-src" not in politica and "unsafe-inline" not in r.headers["content-security-policy"]
        # The one style the page carries is the one the policy lets apply (by its sha256).
        estilo = re.search(r"<style>(.*?)</style>", r.text, re.S).group(1)
        esperado = base64.b64encode(hashlib.sha256(estilo.encode()).digest()).decode()
        assert politica["style-src"] == f"'sha256-{esperado}'"
