"""Logging in and out of the board in a real browser: the coordinadora lands on her board, a wrong
password says so on the login page, and after logging out the board asks for the login again."""

from __future__ import annotations

from playwright.async_api import expect

from ops.demo import PASSWORD_DEMO
from tests.navegador.conftest import captura, dni_de, ingresar


async def test_la_coordinadora_ingresa_a_su_tablero_y_sale(contexto):
    pagina = await (await contexto()).new_page()
    await pagina.goto("/")
    # The bare address is the board, which first asks who you are.
    assert pagina.url.endswith("/tablero/login")
    await expect(pagina.get_by_role("button", name="Ingresar")).to_be_visible()
    await captura(pagina, "login")

    await ingresar(pagina, "coordinadora")
    assert pagina.url.endswith("/tablero")
    await expect(pagina.locator("header .quien")).to_contain_text("Coordinadora")
    for estado in ("Registrado", "Asignado", "En progreso", "Por validar", "Finalizado"):
        await expect(pagina.locator("section.columna h2", has_text=estado).first).to_be_visible()
    await expect(pagina.get_by_role("link", name="Nuevo pendiente")).to_be_visible()
    await captura(pagina, "tablero")

    await pagina.get_by_role("button", name="Salir").click()
    await expect(pagina.get_by_role("alert")).to_have_text("Cerraste tu sesión.")
    await pagina.goto("/tablero")
    assert "/tablero/login" in pagina.url
    await expect(pagina.get_by_role("button", name="Ingresar")).to_be_visible()


async def test_una_contrasena_equivocada_lo_dice_en_el_login(contexto):
    pagina = await (await contexto()).new_page()
    await pagina.goto("/tablero/login")
    await pagina.get_by_label("DNI").fill(dni_de("coordinadora"))
    await pagina.get_by_label("Contraseña").fill(PASSWORD_DEMO + "-no")
    await pagina.get_by_role("button", name="Ingresar").click()
    await expect(pagina.get_by_role("alert")).to_have_text("DNI o contraseña incorrectos")
    assert pagina.url.endswith("/tablero/login")
    # The DNI stays typed, the password does not.
    await expect(pagina.get_by_label("DNI")).to_have_value(dni_de("coordinadora"))
    await expect(pagina.get_by_label("Contraseña")).to_have_value("")
    await captura(pagina, "login-error")
