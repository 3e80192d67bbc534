"""Mis pendientes: a technician's own open work by Lima day, with the phone, the detail, the buttons the
rule allows, and a note with a photo; usable on a phone; nobody else's work."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest

from tests.api.tablero.colas import (
    LIMA,
    accion,
    acciones_de,
    crear_pendiente,
    csrf,
    formulario,
    grupo_de,
    ids_en,
    ingresar_como,
    leer,
    tarjeta,
    tecnico_nuevo,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(40)
RUTA = "/tablero/mis-pendientes"


@pytest.fixture
async def tecnico(http, h, navegante):
    t = await tecnico_nuevo(http, h)
    await ingresar_como(navegante, t["dni"])
    return t


async def asignado(http, h, tecnico, fecha) -> int:
    pendiente_id = await crear_pendiente(http, h, fecha)
    await accion(http, h["coordinadora"], pendiente_id, "asignar", tecnicoId=tecnico["empleadoId"])
    return pendiente_id


def grupo_esperado(fecha: datetime | None) -> str:
    """Written from the screen's promise: by the Lima calendar day of the work date, as of now."""
    if fecha is None:
        return "Sin fecha"
    dia, hoy = fecha.astimezone(LIMA).date(), datetime.now(LIMA).date()
    return "Hoy" if dia == hoy else "Próximos" if dia > hoy else "Atrasados"


async def test_el_tecnico_ve_su_trabajo_abierto_por_dia(navegante, tecnico, http, h):
    ahora = datetime.now(LIMA)
    fechas = {
        "hoy": ahora,
        "proximo": ahora + timedelta(days=3),
        "sin_fecha": None,
        "atrasado": ahora - timedelta(days=2),
    }
    ids = {nombre: await asignado(http, h, tecnico, fecha) for nombre, fecha in fechas.items()}
    cancelado = await asignado(http, h, tecnico, ahora)
    await accion(http, h["coordinadora"], cancelado, "cancelar", motivo="el cliente desistió")
    de_otro = await crear_pendiente(http, h, ahora)
    otro = await tecnico_nuevo(http, h)
    await accion(http, h["coordinadora"], de_otro, "asignar", tecnicoId=otro["empleadoId"])

    r = await navegante.get(RUTA)
    assert r.status_code == 200
    for nombre, fecha in fechas.items():
        assert grupo_de(r.text, ids[nombre]) == grupo_esperado(fecha), nombre
    # Only their own open work: not a closed one, not another technician's.
    assert sorted(ids_en(r.text)) == sorted(ids.values())
    assert cancelado not in ids_en(r.text) and de_otro not in ids_en(r.text)


async def test_cada_tarjeta_tiene_lo_necesario_para_ir_y_actuar(navegante, tecnico, http, h, tmp_path):
    pendiente_id = await asignado(http, h, tecnico, datetime.now(LIMA))
    datos = await leer(http, h, pendiente_id)
    r = await navegante.get(RUTA)
    card = tarjeta(r.text, pendiente_id)
    assert card is not None
    assert datos["cliente"] in card and datos["direccion"] in card
    assert f'href="tel:{datos["celularCliente"].replace(" ", "")}"' in card
    assert "sin señal desde ayer" in card  # the fault described in the detail
    assert "SLA" in card and f'href="/tablero/pendientes/{pendiente_id}"' in card
    # The buttons are the rule's for an assigned technician on ASIGNADO work.
    api = await navegante.get(f"/api/pendientes/{pendiente_id}/acciones", headers=tecnico["h"])
    assert acciones_de(card, pendiente_id) == set(api.json()["data"]["acciones"])
    assert "comenzar" in acciones_de(card, pendiente_id)
    # A note with a photo from the phone's camera.
    assert f'action="/tablero/pendientes/{pendiente_id}/notas"' in card
    assert 'enctype="multipart/form-data"' in card
    assert 'accept="image/*" capture="environment"' in card
    # Usable on a phone: the page scales to the device width.
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in r.text
    (tmp_path / "mis.html").write_text(r.text)


async def test_comenzar_pausar_y_terminar_desde_la_pagina(navegante, tecnico, http, h):
    pendiente_id = await asignado(http, h, tecnico, datetime.now(LIMA))
    for nombre, estado, campos in (
        ("comenzar", "EN_PROGRESO", {}),
        ("pausar", "PAUSADO", {"motivo": "falta una ONU"}),
        ("continuar", "EN_PROGRESO", {}),
        ("terminar", "POR_VALIDAR", {}),
    ):
        pagina = await navegante.get(RUTA)
        datos = formulario(pagina.text, pendiente_id, nombre) | campos
        assert datos["volver"] == RUTA
        r = await navegante.post(f"/tablero/pendientes/{pendiente_id}/acciones/{nombre}", data=datos)
        assert r.status_code == 303 and r.headers["location"] == f"{RUTA}?hecho={nombre}", r.text
        assert (await leer(http, h, pendiente_id))["estado"] == estado
    # Reported done: no longer the technician's open work.
    pagina = await navegante.get(f"{RUTA}?hecho=terminar")
    assert pendiente_id not in ids_en(pagina.text)
    assert "Listo: terminar" in pagina.text


async def test_una_nota_con_foto_se_guarda_como_en_la_api(navegante, tecnico, http, h):
    pendiente_id = await asignado(http, h, tecnico, datetime.now(LIMA))
    pagina = await navegante.get(RUTA)
    r = await navegante.post(
        f"/tablero/pendientes/{pendiente_id}/notas",
        data={"csrf": csrf(pagina.text), "volver": RUTA, "nota": "ONU cambiada, cliente conforme"},
        files={"files": ("foto.png", PNG, "image/png")},
    )
    assert r.status_code == 303 and r.headers["location"] == f"{RUTA}?hecho=nota", r.text
    notas = (await http.get(f"/api/notas/pendiente/{pendiente_id}", headers=tecnico["h"])).json()["data"]
    assert [n["nota"] for n in notas] == ["ONU cambiada, cliente conforme"]
    assert notas[0]["empleadoId"] == tecnico["empleadoId"]
    [imagen] = notas[0]["imagenes"]
    foto = await http.get(imagen["url"], headers=tecnico["h"])
    assert foto.status_code == 200 and foto.content == PNG
    assert "Nota guardada" in (await navegante.get(r.headers["location"])).text


async def test_una_nota_sin_foto_y_las_que_se_rechazan(navegante, tecnico, http, h):
    pendiente_id = await asignado(http, h, tecnico, None)
    pagina = await navegante.get(RUTA)
    base = {"csrf": csrf(pagina.text), "volver": RUTA}
    url = f"/tablero/pendientes/{pendiente_id}/notas"
    # Without a photo: the file part comes empty, as a browser sends it.
    r = await navegante.post(url, data=base | {"nota": "cliente ausente"}, files={"files": ("", b"", "")})
    assert r.status_code == 303
    # Not an image: refused, and no note half-written.
    no_imagen = {"files": ("a.png", b"hola", "image/png")}
    r = await navegante.post(url, data=base | {"nota": "otra"}, files=no_imagen)
    assert r.status_code == 422 and "no es una imagen" in r.text
    # Empty text: refused, naming the field.
    r = await navegante.post(url, data=base | {"nota": "  "}, files={"files": ("", b"", "")})
    assert r.status_code == 422 and "nota" in r.text
    # Without the CSRF token: refused.
    r = await navegante.post(url, data={"nota": "sin token"}, files={"files": ("f.png", PNG, "image/png")})
    assert r.status_code == 403
    notas = (await http.get(f"/api/notas/pendiente/{pendiente_id}", headers=tecnico["h"])).json()["data"]
    assert [(n["nota"], n["imagenes"]) for n in notas] == [("cliente ausente", [])]


async def test_una_foto_mayor_que_el_limite_se_rechaza(navegante, tecnico, http, h, settings):
    pendiente_id = await asignado(http, h, tecnico, None)
    pagina = await navegante.get(RUTA)
    grande = PNG + bytes(settings.max_imagen_bytes)
    r = await navegante.post(
        f"/tablero/pendientes/{pendiente_id}/notas",
        data={"csrf": csrf(pagina.text), "volver": RUTA, "nota": "foto enorme"},
        files={"files": ("g.png", grande, "image/png")},
    )
    assert r.status_code == 413 and "supera el máximo" in r.text
    notas = (await http.get(f"/api/notas/pendiente/{pendiente_id}", headers=tecnico["h"])).json()["data"]
    assert notas == []


async def test_otro_tecnico_no_ve_ni_anota_ni_actua_en_lo_ajeno(navegante, tecnico, http, h, app):
    pendiente_id = await asignado(http, h, tecnico, datetime.now(LIMA))
    otro = await tecnico_nuevo(http, h)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://pendientes.test"
    ) as ajeno:
        await ingresar_como(ajeno, otro["dni"])
        pagina = await ajeno.get(RUTA)
        assert pagina.status_code == 200 and pendiente_id not in ids_en(pagina.text)
        datos = {"csrf": csrf(pagina.text), "volver": RUTA, "nota": "no es mío"}
        sin_foto = {"files": ("", b"", "")}
        r = await ajeno.post(f"/tablero/pendientes/{pendiente_id}/notas", data=datos, files=sin_foto)
        assert r.status_code == 403
        r = await ajeno.post(f"/tablero/pendientes/{pendiente_id}/acciones/comenzar", data=datos)
        assert r.status_code == 403
    notas = (await http.get(f"/api/notas/pendiente/{pendiente_id}", headers=tecnico["h"])).json()["data"]
    assert notas == [] and (await leer(http, h, pendiente_id))["estado"] == "ASIGNADO"


@pytest.mark.parametrize("rol", ["coordinadora", "asesor", "red"])
async def test_sin_ejecutar_trabajo_la_pantalla_se_niega(navegante, ingresar, rol):
    await ingresar(rol)
    r = await navegante.get(RUTA)
    assert r.status_code == 403 and "EJECUTAR_TRABAJO" in r.text


async def test_sin_sesion_lleva_al_login(navegante):
    r = await navegante.get(RUTA)
    assert r.status_code == 303 and r.headers["location"].startswith("/tablero/login")


async def test_el_aviso_de_vuelta_no_pone_en_la_pagina_un_texto_ajeno(navegante, tecnico):
    r = await navegante.get(RUTA, params={"hecho": "llame al 999 para confirmar su clave"})
    assert r.status_code == 200 and "Listo" not in r.text and "999" not in r.text
    r = await navegante.get(RUTA, params={"hecho": "comenzar"})
    assert "Listo: comenzar" in r.text
