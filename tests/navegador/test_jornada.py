"""A whole day of one work order, in four browsers, through the board's screens only: the dispatcher
creates an internet installation and assigns it, the technician starts it from a phone-sized window and
asks for the PPPoE account, the network team configures it, the technician finishes, the validator
finalises. The dispatcher's board, left open all day, follows it live. The PPPoE password never shows."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from urllib.parse import quote

from playwright.async_api import expect

from domain.zona import LIMA
from tests.navegador.conftest import captura, ingresar

PASSWORD_PPPOE = "clave-pppoe-secreta-42"


async def test_un_dia_de_trabajo_desde_el_tablero(contexto, http, h):
    direccion = f"Jr. Jornada {uuid.uuid4().hex[:8]}, Juliaca"
    # The work is for today, at the day's start: the technician's screen lists their first 100 open
    # pendientes by date, and the suite gives the same technician hundreds for later (the day still
    # has 10 minutes to run, so the pendiente cannot turn overdue while the test runs).
    dia = (datetime.now(LIMA) + timedelta(minutes=10)).date()

    # --- The dispatcher registers the work in the Nuevo pendiente form ---------------------------------
    despacho = await (await contexto()).new_page()
    await ingresar(despacho, "coordinadora")
    async with despacho.expect_navigation():  # and its scripts (htmx) have run
        await despacho.get_by_role("link", name="Nuevo pendiente").click()
    await despacho.get_by_label("Buscar cliente").fill("Maribel")
    cliente = despacho.get_by_label("Maribel Ccori Apaza")
    await expect(cliente).to_be_visible()  # found as she typed (htmx)
    await cliente.check()
    formulario = despacho.locator("form.formulario-nuevo")
    cabecera = formulario.locator("fieldset.cabecera-nuevo")
    await cabecera.get_by_label("Tipo").select_option("INSTALACION_INTERNET")
    await cabecera.get_by_label("Lugar").select_option("JULIACA")
    await cabecera.get_by_label("Prioridad").select_option("URGENTE")
    await cabecera.get_by_label("Dirección").fill(direccion)
    await cabecera.get_by_label("Fecha del trabajo").fill(f"{dia:%Y-%m-%d}T00:00")
    detalle = formulario.locator("fieldset[data-tipo=INSTALACION_INTERNET]")
    await detalle.get_by_label("Velocidad solicitada").fill("200 Mbps")
    await detalle.get_by_label("Tipo de instalación").select_option("FIBRA")
    await captura(despacho, "nuevo")
    await formulario.get_by_role("button", name="Registrar pendiente").click()
    await expect(despacho).to_have_url(re.compile(r"/tablero/pendientes/\d+"))
    pendiente_id = int(despacho.url.split("/tablero/pendientes/")[1].split("?")[0])
    tarjeta = f"#pendiente-{pendiente_id}"

    # ... and assigns it to Edwin from the pendiente's page.
    asignar = despacho.locator("form.accion-asignar")
    await asignar.get_by_label("Técnico").select_option(label="Edwin Mamani")
    await asignar.get_by_role("button").click()
    await expect(despacho.get_by_text("Acción «asignar» aplicada.")).to_be_visible()
    await captura(despacho, "pendiente")

    # The dispatcher's board stays open on this work for the rest of the day.
    await despacho.goto(f"/tablero?texto={quote(direccion)}")
    await expect(despacho.locator(f"section[data-estado=ASIGNADO] {tarjeta}")).to_be_visible()
    await expect(despacho.locator("body[data-vivo-conectado=si]")).to_have_count(1)
    await despacho.evaluate("window.sinRecargar = true")

    # --- The technician, on a phone, starts and asks for the PPPoE account -----------------------------
    telefono = await (await contexto(360, 740)).new_page()
    await ingresar(telefono, "tecnico")
    assert telefono.url.endswith("/tablero/mis-pendientes")
    mio = telefono.locator(tarjeta)
    await expect(mio).to_contain_text("Maribel Ccori Apaza")
    await mio.locator("form.accion-comenzar button").click()
    await expect(telefono.locator(f"{tarjeta} .estado")).to_have_text("En progreso")
    await telefono.locator(f"{tarjeta} form.accion-pedir_pppoe button").click()
    await expect(telefono.locator(f"{tarjeta} .marca.red")).to_be_visible()
    # Usable at 360 px: nothing wider than the screen.
    assert await telefono.evaluate("document.documentElement.scrollWidth") <= 360
    await captura(telefono, "mis-pendientes")
    await expect(despacho.locator(f"section[data-estado=EN_PROGRESO] {tarjeta}")).to_be_visible(
        timeout=30_000
    )

    # --- The network team configures the account on the Red screen --------------------------------------
    red = await (await contexto()).new_page()
    await ingresar(red, "red")
    await red.goto("/tablero/red")
    cola = red.locator(tarjeta)
    await expect(cola).to_be_visible()
    pppoe = cola.locator("form.accion-configurar_pppoe")
    await pppoe.get_by_label("Usuario PPPoE").fill("maribel.ccori@simax")
    await pppoe.get_by_label("Contraseña PPPoE").fill(PASSWORD_PPPOE)
    await captura(red, "red")
    await pppoe.get_by_role("button").click()
    await expect(red.locator(tarjeta)).to_have_count(0)  # no longer waiting for the network
    assert PASSWORD_PPPOE not in await red.content()

    # --- The technician finishes --------------------------------------------------------------------------
    await telefono.reload()
    await expect(telefono.locator(f"{tarjeta} .marca.red")).to_have_count(0)
    await telefono.locator(f"{tarjeta} form.accion-terminar button").click()
    await expect(despacho.locator(f"section[data-estado=POR_VALIDAR] {tarjeta}")).to_be_visible(
        timeout=30_000
    )

    # --- The validator finalises on the Validación screen -------------------------------------------------
    valida = await (await contexto()).new_page()
    await ingresar(valida, "asesor")
    await valida.goto("/tablero/validacion")
    por_validar = valida.locator(tarjeta)
    await expect(por_validar).to_contain_text("Maribel Ccori Apaza")
    await captura(valida, "validacion")
    await por_validar.locator("form.accion-finalizar button").click()
    await expect(valida.locator(tarjeta)).to_have_count(0)

    # The dispatcher saw the whole day without reloading; the record agrees.
    await expect(despacho.locator(f"section[data-estado=FINALIZADO] {tarjeta}")).to_be_visible(timeout=30_000)
    assert await despacho.evaluate("window.sinRecargar") is True
    await captura(despacho, "tablero-fin-del-dia")
    for pagina in (despacho, telefono, red, valida):
        assert PASSWORD_PPPOE not in await pagina.content()
    leido = (await http.get(f"/api/pendientes/{pendiente_id}", headers=h["coordinadora"])).json()["data"]
    assert (leido["estado"], leido["estadoTecnico"], leido["asignadoA"]) == (
        "FINALIZADO",
        "OK",
        "Edwin Mamani",
    )
    historial = await http.get(f"/api/historiales/pendiente/{pendiente_id}", headers=h["coordinadora"])
    acciones = [(e["accion"], e["empleadoNombre"]) for e in historial.json()["data"]]
    assert acciones == [
        ("crear", "Carmen Condori"),
        ("asignar", "Carmen Condori"),
        ("comenzar", "Edwin Mamani"),
        ("pedir_pppoe", "Edwin Mamani"),
        ("configurar_pppoe", "Nilda Vilca"),
        ("terminar", "Edwin Mamani"),
        ("finalizar", "Julio Apaza"),
    ], acciones
