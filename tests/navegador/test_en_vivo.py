"""Live board in a real browser: a change made in another browser moves the card on an open board
without a reload (server-sent events from /tablero/vivo, then the board region re-reads itself)."""

from __future__ import annotations

from urllib.parse import quote

from playwright.async_api import expect

from tests.navegador.conftest import captura, ingresar


async def test_el_tablero_de_otro_navegador_mueve_la_tarjeta_sin_recargar(
    contexto, nuevo_pendiente, personas
):
    p = await nuevo_pendiente()
    tarjeta = f"#pendiente-{p['id']}"
    solo_este = f"/tablero?texto={quote(p['direccion'])}"

    observa = await (await contexto()).new_page()
    await ingresar(observa, "coordinadora")
    await observa.goto(solo_este)
    await expect(observa.locator(f"section[data-estado=REGISTRADO] {tarjeta}")).to_be_visible()
    await expect(observa.locator("body[data-vivo-conectado=si]")).to_have_count(1)
    # A mark on this very document: a reload would lose it.
    await observa.evaluate("window.sinRecargar = true")

    actua = await (await contexto()).new_page()
    await ingresar(actua, "administrador")
    await actua.goto(solo_este)
    edwin = personas.tecnicos[0]
    formulario = {
        "csrf": await actua.locator("input[name=csrf]").first.input_value(),
        "tecnicoId": str(edwin.empleado_id),
        "version": str(p["version"]),
        "volver": solo_este,
    }
    r = await actua.request.post(f"/tablero/pendientes/{p['id']}/acciones/asignar", form=formulario)
    assert r.ok, await r.text()

    await expect(observa.locator(f"section[data-estado=ASIGNADO] {tarjeta}")).to_be_visible(timeout=10_000)
    await expect(observa.locator(f"section[data-estado=REGISTRADO] {tarjeta}")).to_have_count(0)
    await expect(observa.locator(f"{tarjeta} .tecnico")).to_contain_text("Edwin")
    assert await observa.evaluate("window.sinRecargar") is True
    await captura(observa, "tablero-en-vivo")
