"""The work queues follow other people's changes without a reload, like the board, but never wipe a
form the person is filling: then the page offers "Actualizar" and waits for them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from urllib.parse import quote

from playwright.async_api import expect

from domain.zona import LIMA
from tests.navegador.conftest import captura, ingresar


async def _accionar(http, h, pendiente_id: int, pasos) -> None:
    for accion, rol, cuerpo in pasos:
        r = await http.post(f"/api/pendientes/{pendiente_id}/acciones/{accion}", json=cuerpo, headers=h[rol])
        assert r.status_code == 200, r.text


def _hasta_pedir_pppoe(personas):
    edwin = personas.tecnicos[0].empleado_id
    return [
        ("asignar", "coordinadora", {"tecnicoId": edwin}),
        ("comenzar", "tecnico", None),
        ("pedir_pppoe", "tecnico", None),
    ]


async def test_la_cola_de_red_recibe_trabajo_sin_recargar_y_sin_borrar_lo_que_se_escribe(
    contexto, nuevo_pendiente, personas, http, h
):
    calle = f"Jr. Red {uuid.uuid4().hex[:8]}"
    primero = await nuevo_pendiente("INSTALACION_INTERNET", direccion=f"{calle} 101")
    segundo = await nuevo_pendiente("INSTALACION_INTERNET", 1, direccion=f"{calle} 202")
    await _accionar(http, h, primero["id"], _hasta_pedir_pppoe(personas))

    red = await (await contexto()).new_page()
    await ingresar(red, "red")
    await red.goto(f"/tablero/red?texto={quote(calle)}")
    await expect(red.locator(f"#pendiente-{primero['id']}")).to_be_visible()
    await expect(red.locator("#conteo-cola")).to_have_text("1")
    await expect(red.locator("body[data-vivo-conectado=si]")).to_have_count(1)
    await red.evaluate("window.sinRecargar = true")

    # The network engineer starts typing the account of the first one...
    usuario_pppoe = red.locator(f"#pendiente-{primero['id']} form.accion-configurar_pppoe").get_by_label(
        "Usuario PPPoE"
    )
    await usuario_pppoe.fill("tecleando@simax")
    # ... when a technician asks for the second one's.
    await _accionar(http, h, segundo["id"], _hasta_pedir_pppoe(personas))

    await expect(red.locator("#hay-cambios")).to_be_visible(timeout=30_000)
    await expect(usuario_pppoe).to_have_value("tecleando@simax")
    await expect(red.locator(f"#pendiente-{segundo['id']}")).to_have_count(0)
    await captura(red, "red-hay-cambios")

    # They choose to catch up: the new work is there, counted, and the page never reloaded.
    await red.locator("#hay-cambios").get_by_role("button", name="Actualizar").click()
    await expect(red.locator(f"#pendiente-{segundo['id']}")).to_be_visible()
    await expect(red.locator("#conteo-cola")).to_have_text("2")
    await expect(red.locator("#hay-cambios")).to_have_count(0)

    # With nothing being typed, a change elsewhere shows at once: the first one, configured by a
    # colleague, leaves the queue by itself.
    cuenta = {"pppoeUser": "cliente@simax", "pppoePassword": "clave-de-red-7"}
    await _accionar(http, h, primero["id"], [("configurar_pppoe", "red", cuenta)])
    await expect(red.locator(f"#pendiente-{primero['id']}")).to_have_count(0, timeout=30_000)
    await expect(red.locator("#conteo-cola")).to_have_text("1")
    await expect(red.locator("#hay-cambios")).to_have_count(0)
    assert await red.evaluate("window.sinRecargar") is True
    assert "clave-de-red-7" not in await red.content()


async def test_mis_pendientes_muestra_el_trabajo_recien_asignado_sin_recargar(
    contexto, nuevo_pendiente, personas, http, h
):
    # Today at the day's start (as in test_jornada): within the technician's first 100 by date however
    # much work the suite gave them for later, and not overdue before the test ends.
    dia = (datetime.now(LIMA) + timedelta(minutes=10)).date()
    p = await nuevo_pendiente("AVERIA", fechaPendiente=f"{dia:%Y-%m-%d}T00:00:00")

    telefono = await (await contexto(360, 740)).new_page()
    await ingresar(telefono, "tecnico")
    assert telefono.url.endswith("/tablero/mis-pendientes")
    await expect(telefono.locator("body[data-vivo-conectado=si]")).to_have_count(1)
    await expect(telefono.locator(f"#pendiente-{p['id']}")).to_have_count(0)
    await telefono.evaluate("window.sinRecargar = true")

    edwin = personas.tecnicos[0].empleado_id
    await _accionar(http, h, p["id"], [("asignar", "coordinadora", {"tecnicoId": edwin})])

    hoy = telefono.locator(f"section[data-grupo=Hoy] #pendiente-{p['id']}")
    await expect(hoy).to_be_visible(timeout=30_000)
    await expect(hoy.locator("form.accion-comenzar button")).to_be_visible()
    assert await telefono.evaluate("window.sinRecargar") is True
    await captura(telefono, "mis-pendientes-en-vivo")
