"""What a browser must not get: another technician's pendiente opened by its URL, and a change posted
without the form's CSRF token."""

from __future__ import annotations

from playwright.async_api import expect

from tests.navegador.conftest import captura, ingresar


async def test_un_tecnico_no_abre_por_url_el_pendiente_de_otro(contexto, nuevo_pendiente, personas, http, h):
    p = await nuevo_pendiente()
    wilber = personas.tecnicos[1].empleado_id
    r = await http.post(
        f"/api/pendientes/{p['id']}/acciones/asignar", json={"tecnicoId": wilber}, headers=h["coordinadora"]
    )
    assert r.status_code == 200, r.text

    pagina = await (await contexto(360, 740)).new_page()
    await ingresar(pagina, "tecnico")  # Edwin, the first technician
    respuesta = await pagina.goto(f"/tablero/pendientes/{p['id']}")
    assert respuesta.status == 403
    await expect(pagina.get_by_role("heading", name="Sin acceso")).to_be_visible()
    await expect(pagina.get_by_role("alert")).to_contain_text("solo puede ver sus propios pendientes")
    # None of the pendiente's data reaches the page.
    contenido = await pagina.content()
    assert p["direccion"] not in contenido and p["cliente"] not in contenido
    await captura(pagina, "sin-acceso-tecnico")


async def test_un_formulario_sin_token_csrf_se_rechaza(contexto, nuevo_pendiente, personas, http, h):
    p = await nuevo_pendiente()
    pagina = await (await contexto()).new_page()
    await ingresar(pagina, "coordinadora")
    datos = {
        "tecnicoId": str(personas.tecnicos[0].empleado_id),
        "version": str(p["version"]),
        "volver": "/tablero",
    }

    # The browser's own cookies go along, the token does not: refused, nothing applied.
    r = await pagina.request.post(f"/tablero/pendientes/{p['id']}/acciones/asignar", form=datos)
    assert r.status == 403
    assert "Formulario rechazado" in await r.text()
    # Same from the page's script (fetch, as a forged form would): refused too.
    estado = await pagina.evaluate(
        """async ([url, datos]) => {
            const r = await fetch(url, {method: "POST", body: new URLSearchParams(datos)});
            return r.status;
        }""",
        [f"/tablero/pendientes/{p['id']}/acciones/asignar", datos],
    )
    assert estado == 403
    # A wrong token is no better than none.
    r = await pagina.request.post(
        f"/tablero/pendientes/{p['id']}/acciones/asignar", form=datos | {"csrf": "inventado"}
    )
    assert r.status == 403
    leido = (await http.get(f"/api/pendientes/{p['id']}", headers=h["coordinadora"])).json()["data"]
    assert (leido["estado"], leido["version"]) == ("REGISTRADO", p["version"])

    # A real form of the page, submitted after its token was taken out: the refusal page, still logged in.
    await pagina.goto("/tablero")
    await pagina.locator("form.salir input[name=csrf]").evaluate("campo => campo.remove()")
    await pagina.get_by_role("button", name="Salir").click()
    await expect(pagina.get_by_role("heading", name="Formulario rechazado")).to_be_visible()
    await captura(pagina, "csrf-rechazado")
    await pagina.goto("/tablero")
    assert pagina.url.endswith("/tablero")
