"""Live board in a real browser: a change made in another browser moves the card on an open board
without a reload (server-sent events from /tablero/vivo, then the board region re-reads itself)."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from playwright.async_api import expect

from tests.navegador.conftest import captura, ingresar


async def vecinos(direccion: str, nuevo_pendiente, personas, http, h) -> None:
    """A few more pendientes at the same address, in other columns: a board worth a screenshot."""
    edwin, wilber = (t.empleado_id for t in personas.tecnicos[:2])
    pasos = [
        ("INSTALACION_INTERNET", 1, "MEDIA", [("asignar", "coordinadora", {"tecnicoId": wilber})]),
        (
            "TRASLADO",
            2,
            "BAJA",
            [("asignar", "coordinadora", {"tecnicoId": edwin}), ("comenzar", "tecnico", {})],
        ),
        ("INSTALACION_CAMARAS", 3, "MUY_URGENTE", []),
        (
            "RECOJO_DISPOSITIVOS",
            4,
            "MEDIA",
            [
                ("asignar", "coordinadora", {"tecnicoId": edwin}),
                ("comenzar", "tecnico", {}),
                ("terminar", "tecnico", {}),
            ],
        ),
    ]
    for tipo, cliente, prioridad, acciones in pasos:
        otro = await nuevo_pendiente(tipo, cliente, direccion=direccion, prioridad=prioridad)
        for accion, rol, cuerpo in acciones:
            r = await http.post(
                f"/api/pendientes/{otro['id']}/acciones/{accion}", json=cuerpo or None, headers=h[rol]
            )
            assert r.status_code == 200, r.text


async def test_el_tablero_de_otro_navegador_mueve_la_tarjeta_sin_recargar(
    contexto, nuevo_pendiente, personas, http, h
):
    p = await nuevo_pendiente()
    tarjeta = f"#pendiente-{p['id']}"
    solo_este = f"/tablero?texto={quote(p['direccion'])}"
    await vecinos(p["direccion"], nuevo_pendiente, personas, http, h)

    observa = await (await contexto()).new_page()
    await ingresar(observa, "coordinadora")
    await observa.goto(solo_este)
    await expect(observa.locator(f"section[data-estado=REGISTRADO] {tarjeta}")).to_be_visible()
    await expect(observa.locator("body[data-vivo-conectado=si]")).to_have_count(1)
    # A mark on this very document: a reload would lose it.
    await observa.evaluate("window.sinRecargar = true")

    # Someone else assigns it from the pendiente's page, in another browser.
    actua = await (await contexto()).new_page()
    await ingresar(actua, "administrador")
    await actua.goto(f"/tablero/pendientes/{p['id']}")
    asignar = actua.locator("form.accion-asignar")
    await asignar.get_by_label("Técnico").select_option(label="Edwin Mamani")
    await asignar.get_by_role("button").click()
    await expect(actua.get_by_text("Acción «asignar» aplicada.")).to_be_visible()

    await expect(observa.locator(f"section[data-estado=ASIGNADO] {tarjeta}")).to_be_visible(timeout=30_000)
    await expect(observa.locator(f"section[data-estado=REGISTRADO] {tarjeta}")).to_have_count(0)
    await expect(observa.locator(f"{tarjeta} .tecnico")).to_contain_text("Edwin")
    assert await observa.evaluate("window.sinRecargar") is True
    await captura(observa, "tablero-en-vivo")


async def test_una_rafaga_de_cambios_no_hace_que_el_tablero_se_relea_sin_pausa(
    contexto, nuevo_pendiente, personas, http, h
):
    p = await nuevo_pendiente()
    edwin = personas.tecnicos[0].empleado_id
    for accion, rol, cuerpo in [
        ("asignar", "coordinadora", {"tecnicoId": edwin}),
        ("comenzar", "tecnico", None),
    ]:
        r = await http.post(f"/api/pendientes/{p['id']}/acciones/{accion}", json=cuerpo, headers=h[rol])
        assert r.status_code == 200, r.text

    observa = await (await contexto()).new_page()
    await ingresar(observa, "coordinadora")
    await observa.goto(f"/tablero?texto={quote(p['direccion'])}")
    await expect(observa.locator("body[data-vivo-conectado=si]")).to_have_count(1)
    relecturas: list[float] = []
    observa.on("request", lambda r: relecturas.append(1) if "hx-request" in r.headers else None)

    # Twelve changes over about six seconds: a page that re-read itself on each would do it 12 times.
    reloj = asyncio.get_running_loop()
    inicio = reloj.time()
    for n in range(12):
        accion = "pausar" if n % 2 == 0 else "continuar"
        cuerpo = {"motivo": "espera al cliente"} if accion == "pausar" else None
        r = await http.post(f"/api/pendientes/{p['id']}/acciones/{accion}", json=cuerpo, headers=h["tecnico"])
        assert r.status_code == 200, r.text
        await asyncio.sleep(0.5)
    duracion = reloj.time() - inicio

    # The last change (continuar) shows, and the page re-read itself at most once per 2 s meanwhile.
    tarjeta = f"section[data-estado=EN_PROGRESO] #pendiente-{p['id']}"
    await expect(observa.locator(tarjeta)).to_be_visible(timeout=30_000)
    await asyncio.sleep(2.5)
    assert 1 <= len(relecturas) <= duracion / 2 + 2, (len(relecturas), duracion)


async def test_la_pagina_de_un_pendiente_sigue_solo_sus_propios_cambios(
    contexto, nuevo_pendiente, personas, http, h
):
    p = await nuevo_pendiente()
    otro = await nuevo_pendiente()
    edwin = personas.tecnicos[0].empleado_id

    pagina = await (await contexto()).new_page()
    await ingresar(pagina, "coordinadora")
    await pagina.goto(f"/tablero/pendientes/{p['id']}")
    await expect(pagina.locator("#cabecera .estado")).to_contain_text("Registrado")
    await expect(pagina.locator("body[data-vivo-conectado=si]")).to_have_count(1)
    await pagina.evaluate("window.sinRecargar = true")
    relecturas: list[str] = []
    pagina.on("request", lambda r: relecturas.append(r.url) if "hx-request" in r.headers else None)

    # Another pendiente's change is not this page's business: nothing is re-read.
    r = await http.post(
        f"/api/pendientes/{otro['id']}/acciones/asignar", json={"tecnicoId": edwin}, headers=h["coordinadora"]
    )
    assert r.status_code == 200, r.text
    await asyncio.sleep(3)
    assert relecturas == []

    # Its own change shows without a reload: the technician, the new state, the buttons it allows now.
    r = await http.post(
        f"/api/pendientes/{p['id']}/acciones/asignar", json={"tecnicoId": edwin}, headers=h["coordinadora"]
    )
    assert r.status_code == 200, r.text
    await expect(pagina.locator("#cabecera .estado")).to_contain_text("Asignado", timeout=30_000)
    await expect(pagina.locator("#cabecera")).to_contain_text("Edwin Mamani")
    # The forms now carry the new version: acting from this page is not refused as stale.
    version = str(r.json()["data"]["version"])
    await expect(pagina.locator("#acciones input[name=version]").first).to_have_value(version)
    assert await pagina.evaluate("window.sinRecargar") is True


async def test_un_flujo_que_el_navegador_abandona_se_vuelve_a_abrir_y_se_pone_al_dia(
    contexto, nuevo_pendiente, personas, http, h
):
    p = await nuevo_pendiente()
    tarjeta = f"#pendiente-{p['id']}"
    pagina = await (await contexto()).new_page()
    await ingresar(pagina, "coordinadora")
    rechazados: list[str] = []

    async def un_502_primero(ruta) -> None:
        # The proxy answers 502 once (an API replica restarting): the browser closes that stream for good.
        if not rechazados:
            rechazados.append(ruta.request.url)
            await ruta.fulfill(status=502, body="bad gateway")
        else:
            await ruta.continue_()

    await pagina.route("**/tablero/vivo*", un_502_primero)
    await pagina.goto(f"/tablero?texto={quote(p['direccion'])}")
    await expect(pagina.locator(f"section[data-estado=REGISTRADO] {tarjeta}")).to_be_visible()
    await pagina.evaluate("window.sinRecargar = true")
    # Changed while the page has no stream: it must learn of it once it listens again.
    r = await http.post(
        f"/api/pendientes/{p['id']}/acciones/asignar",
        json={"tecnicoId": personas.tecnicos[0].empleado_id},
        headers=h["coordinadora"],
    )
    assert r.status_code == 200, r.text

    await expect(pagina.locator("body[data-vivo-conectado=si]")).to_have_count(1, timeout=30_000)
    await expect(pagina.locator(f"section[data-estado=ASIGNADO] {tarjeta}")).to_be_visible(timeout=30_000)
    assert rechazados and await pagina.evaluate("window.sinRecargar") is True
