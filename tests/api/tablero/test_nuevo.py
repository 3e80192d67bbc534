"""Nuevo pendiente on the board: one form with the type detail and a client search, created as
POST /api/pendientes creates (read back through the JSON API), errors next to the field they name."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from db import models as m
from tests.api.tablero.conftest import csrf_de

LIMA = ZoneInfo("America/Lima")


@pytest.fixture
async def cliente(sessions):
    async with sessions() as s:
        return await s.scalar(select(m.Cliente).where(m.Cliente.codigo_cliente == "CLI000005"))


def _dia_de_trabajo() -> datetime:
    """09:00 in Lima a week from now (whatever the hour the test runs)."""
    return (datetime.now(LIMA) + timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)


async def _formulario(navegante) -> tuple[str, str]:
    pagina = await navegante.get("/tablero/nuevo")
    assert pagina.status_code == 200, pagina.text
    return pagina.text, csrf_de(pagina.text)


async def _cuantos(sessions, direccion: str) -> int:
    async with sessions() as s:
        return await s.scalar(select(func.count()).where(m.Pendiente.direccion == direccion))


async def test_el_formulario_agrupa_el_detalle_por_tipo(navegante, ingresar):
    await ingresar("coordinadora")
    html, _ = await _formulario(navegante)
    for tipo in ("AVERIA", "INSTALACION_INTERNET", "INSTALACION_CAMARAS", "RECOJO_DISPOSITIVOS", "TRASLADO"):
        assert f'data-tipo="{tipo}"' in html and f'<option value="{tipo}"' in html
    for campo in (
        "detalle.AVERIA.descripcionFalla",
        "detalle.TRASLADO.lugarDestino",
        "detalle.RECOJO_DISPOSITIVOS.motivo",
    ):
        assert f'name="{campo}"' in html
    for campo in ("lugar", "prioridad", "empresa", "direccion", "fechaPendiente"):
        assert f'name="{campo}"' in html
    assert "style=" not in html and "<script>" not in html


async def test_sin_registrar_pendiente_no_se_abre(navegante, ingresar):
    await ingresar("tecnico")
    r = await navegante.get("/tablero/nuevo")
    assert r.status_code == 403 and "REGISTRAR_PENDIENTE" in r.text
    csrf = csrf_de((await navegante.get("/tablero")).text)
    r = await navegante.post("/tablero/nuevo", data={"csrf": csrf, "tipo": "AVERIA"})
    assert r.status_code == 403
    assert (await navegante.get("/tablero/clientes?q=a")).status_code == 403


async def test_buscar_clientes_con_y_sin_javascript(navegante, ingresar, cliente):
    await ingresar("coordinadora")
    parcial = await navegante.get("/tablero/clientes", params={"q": "layme"})
    assert parcial.status_code == 200
    assert f'name="clienteId" value="{cliente.id}"' in parcial.text and cliente.nombre in parcial.text
    assert "<html" not in parcial.text  # a fragment for htmx
    pagina = await navegante.get("/tablero/nuevo", params={"q": cliente.numero_documento})
    assert f'name="clienteId" value="{cliente.id}"' in pagina.text and "<html" in pagina.text
    nada = await navegante.get("/tablero/clientes", params={"q": "nadie-se-llama-asi"})
    assert 'name="clienteId"' not in nada.text and "Ningún cliente" in nada.text


async def test_registrar_un_traslado_con_su_detalle(navegante, ingresar, cliente, http, h):
    await ingresar("coordinadora")
    _, csrf = await _formulario(navegante)
    dia = _dia_de_trabajo()
    datos = {
        "csrf": csrf, "clave": uuid.uuid4().hex, "clienteId": str(cliente.id), "tipo": "TRASLADO",
        "lugar": "JULI", "prioridad": "URGENTE", "empresa": "SIMAX", "direccion": "Jr. Puno 112, Juli",
        "fechaPendiente": dia.strftime("%Y-%m-%dT%H:%M"),
        "detalle.TRASLADO.lugarDestino": "POMATA", "detalle.TRASLADO.direccionDestino": "Plaza de Pomata 3",
        "detalle.TRASLADO.tipoServicio": "INTERNET_FIBRA",
        # Another type's field, shown without JavaScript: not sent to the API.
        "detalle.AVERIA.descripcionFalla": "no pertenece a un traslado",
    }  # fmt: skip
    r = await navegante.post("/tablero/nuevo", data=datos)
    assert r.status_code == 303, r.text
    destino = r.headers["location"]
    assert destino.startswith("/tablero/pendientes/")
    pid = int(destino.removeprefix("/tablero/pendientes/").split("?")[0])
    leido = (await http.get(f"/api/pendientes/{pid}", headers=h["coordinadora"])).json()["data"]
    assert (leido["tipo"], leido["lugar"], leido["prioridad"], leido["empresa"]) == (
        "TRASLADO", "JULI", "URGENTE", "SIMAX"
    )  # fmt: skip
    assert (leido["idCliente"], leido["estado"], leido["registradoPor"]) == (
        cliente.id, "REGISTRADO", "Carmen Condori"
    )  # fmt: skip
    assert datetime.fromisoformat(leido["fechaPendiente"]) == dia
    detalle = (await http.get(f"/api/pendientes/{pid}/traslado", headers=h["coordinadora"])).json()["data"]
    assert (detalle["lugarDestino"], detalle["direccionDestino"], detalle["tipoServicio"]) == (
        "POMATA", "Plaza de Pomata 3", "INTERNET_FIBRA"
    )  # fmt: skip
    assert detalle["descripcionFalla"] is None
    pagina = await navegante.get(destino)
    assert pagina.status_code == 200 and f"Pendiente #{pid} registrado" in pagina.text


async def test_un_doble_envio_registra_uno(navegante, ingresar, cliente, sessions):
    await ingresar("coordinadora")
    _, csrf = await _formulario(navegante)
    direccion = f"Doble clic {uuid.uuid4().hex[:8]}"
    datos = {"csrf": csrf, "clave": uuid.uuid4().hex, "clienteId": str(cliente.id),
             "tipo": "INSTALACION_CAMARAS", "lugar": "PUNO", "prioridad": "MEDIA",
             "direccion": direccion}  # fmt: skip
    primero = await navegante.post("/tablero/nuevo", data=datos)
    segundo = await navegante.post("/tablero/nuevo", data=datos)
    assert primero.status_code == segundo.status_code == 303
    assert primero.headers["location"] == segundo.headers["location"]
    assert await _cuantos(sessions, direccion) == 1


async def test_los_errores_nombran_el_campo_y_no_registran(navegante, ingresar, cliente, sessions):
    await ingresar("coordinadora")
    _, csrf = await _formulario(navegante)
    direccion = f"Formulario con errores {uuid.uuid4().hex[:8]}"
    r = await navegante.post(
        "/tablero/nuevo", data={"csrf": csrf, "tipo": "AVERIA", "prioridad": "BAJA", "direccion": direccion}
    )
    assert r.status_code == 422
    assert "«clienteId»" in r.text and "«lugar»" in r.text and "«prioridad»" not in r.text
    assert f'value="{direccion}"' in r.text  # what was typed stays
    # A traslado needs its destination: the API's detail rule, named as the API names it.
    datos = {"csrf": csrf, "clienteId": str(cliente.id), "tipo": "TRASLADO", "lugar": "PUNO",
             "prioridad": "BAJA", "direccion": direccion}  # fmt: skip
    r = await navegante.post("/tablero/nuevo", data=datos)
    assert r.status_code == 422 and "«detalle.lugarDestino»: Falta este dato" in r.text
    assert f'name="clienteId" value="{cliente.id}" checked' in r.text  # the picked client stays picked
    r = await navegante.post("/tablero/nuevo", data=datos | {"tipo": "AVERIA", "clienteId": "999999999"})
    assert r.status_code == 404 and "«clienteId»" in r.text
    r = await navegante.post(
        "/tablero/nuevo", data=datos | {"tipo": "AVERIA", "fechaPendiente": "1990-01-01T09:00"}
    )
    assert r.status_code == 422 and "«fechaPendiente»" in r.text
    assert await _cuantos(sessions, direccion) == 0


async def test_sin_token_csrf_no_se_registra(navegante, ingresar, cliente, sessions):
    await ingresar("coordinadora")
    direccion = f"Sin CSRF {uuid.uuid4().hex[:8]}"
    datos = {"clienteId": str(cliente.id), "tipo": "AVERIA", "lugar": "PUNO", "prioridad": "BAJA",
             "direccion": direccion}  # fmt: skip
    r = await navegante.post("/tablero/nuevo", data=datos)
    assert r.status_code == 403
    assert await _cuantos(sessions, direccion) == 0
