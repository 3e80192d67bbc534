"""/api/notas over HTTP: author from the token, visibility, author-only edits, soft delete, images given
by URL stored once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db import models as m

FOTO = "https://fotos.simax.pe/equipo.jpg"


@pytest.fixture
async def pendiente(crear) -> int:
    return await crear("EN_PROGRESO")


@pytest.fixture
def escribir(http, h):
    async def _escribir(pendiente_id: int, rol: str = "tecnico", **extra) -> dict:
        cuerpo = {"pendienteId": pendiente_id, "nota": "Se cambió el conector", **extra}
        r = await http.post("/api/notas", json=cuerpo, headers=h[rol])
        assert r.status_code == 201, r.text
        return r.json()["data"]

    return _escribir


def campo(r) -> str:
    return r.json()["data"]["campo"]


async def contar_imagenes(sessions, nota_id: int) -> int:
    async with sessions() as s:
        consulta = select(func.count()).where(m.PendienteNotaImagen.nota_id == nota_id)
        return await s.scalar(consulta)


async def test_crear_nota_con_autor_del_token_e_imagenes_una_vez(http, h, pendiente, empleado, sessions):
    cuerpo = {
        "pendienteId": pendiente,
        "empleadoId": empleado["coordinadora"],
        "nota": "  Cliente ausente, se deja aviso  ",
        "imagenes": [{"url": FOTO}, {"url": FOTO}, {"url": "http://fotos.simax.pe/b.png"}],
    }
    r = await http.post("/api/notas", json=cuerpo, headers=h["tecnico"])
    assert r.status_code == 201, r.text
    nota = r.json()["data"]
    assert nota["empleadoId"] == empleado["tecnico"] and nota["empleadoNombre"] == "Edwin Mamani"
    assert nota["nota"] == "Cliente ausente, se deja aviso"
    assert nota["estadoPendiente"] == "EN_PROGRESO"  # the pendiente's state by default
    assert nota["pendienteId"] == pendiente and nota["fechaCreacion"].endswith("-05:00")
    assert [i["url"] for i in nota["imagenes"]] == [FOTO, "http://fotos.simax.pe/b.png"]
    assert all(i["notaId"] == nota["id"] for i in nota["imagenes"])
    assert await contar_imagenes(sessions, nota["id"]) == 2  # defect 25: no duplicate rows


async def test_estado_explicito_y_cualquiera_que_ve_escribe(http, h, pendiente, escribir):
    assert (await escribir(pendiente, estadoPendiente="PAUSADO"))["estadoPendiente"] == "PAUSADO"
    # Everyone who can see the pendiente may write on it: the dispatcher and the network team (VER_TODOS).
    for rol in ("coordinadora", "red", "asesor"):
        assert (await escribir(pendiente, rol=rol))["imagenes"] == []


@pytest.mark.parametrize(
    ("cambio", "nombre"),
    [
        ({"nota": None}, "nota"),
        ({"nota": "   "}, "nota"),
        ({"nota": "x" * 5001}, "nota"),
        ({"estadoPendiente": "INVENTADO"}, "estadoPendiente"),
        ({"pendienteId": 0}, "pendienteId"),
        ({"imagenes": [{"url": "javascript:alert(1)"}]}, "imagenes.0.url"),
        ({"imagenes": [{"url": FOTO}, {"url": "/etc/passwd"}]}, "imagenes.1.url"),
        ({"imagenes": [{"url": "/uploads/notas/../../secreto.jpg"}]}, "imagenes.0.url"),
        ({"imagenes": [{"url": "https://" + "a" * 500}]}, "imagenes.0.url"),
        ({"imagenes": "no-lista"}, "imagenes"),
    ],
)
async def test_crear_422_nombra_el_campo(http, h, pendiente, cambio, nombre):
    cuerpo = {"pendienteId": pendiente, "nota": "texto", **cambio}
    r = await http.post("/api/notas", json=cuerpo, headers=h["tecnico"])
    assert r.status_code == 422, r.text
    assert campo(r) == nombre


async def test_un_archivo_ajeno_no_se_toma_prestado(http, h, pendiente):
    # A well-formed local name not uploaded to this note: uploads must go through /imagenes/upload.
    ajeno = "/uploads/notas/" + "a" * 32 + ".jpg"
    cuerpo = {"pendienteId": pendiente, "nota": "x", "imagenes": [{"url": ajeno}]}
    r = await http.post("/api/notas", json=cuerpo, headers=h["tecnico"])
    assert r.status_code == 422 and campo(r) == "imagenes.0.url"


async def test_crear_404_403_401(http, h, pendiente, cuenta):
    r = await http.post("/api/notas", json={"pendienteId": 2**62, "nota": "x"}, headers=h["tecnico"])
    assert r.status_code == 404 and campo(r) == "pendienteId"
    cuerpo = {"pendienteId": pendiente, "nota": "x"}
    assert (await http.post("/api/notas", json=cuerpo, headers=h["tecnico2"])).status_code == 403
    sin_empleado = await cuenta("VER_TODOS", con_empleado=False)
    assert (await http.post("/api/notas", json=cuerpo, headers=sin_empleado)).status_code == 403
    assert (await http.post("/api/notas", json=cuerpo)).status_code == 401


async def test_obtener_por_id(http, h, pendiente, escribir):
    nota = await escribir(pendiente)
    for rol in ("tecnico", "coordinadora", "administrador"):
        r = await http.get(f"/api/notas/{nota['id']}", headers=h[rol])
        assert r.status_code == 200 and r.json()["data"] == nota, rol
    assert (await http.get(f"/api/notas/{nota['id']}", headers=h["tecnico2"])).status_code == 403
    assert (await http.get("/api/notas/999999999", headers=h["tecnico"])).status_code == 404
    assert (await http.get("/api/notas/abc", headers=h["tecnico"])).status_code == 422


async def test_lista_del_pendiente_antiguas_primero_sin_eliminadas(http, h, pendiente, escribir):
    primera = await escribir(pendiente, nota="primera")
    segunda = await escribir(pendiente, nota="segunda", rol="coordinadora")
    tercera = await escribir(pendiente, nota="tercera")
    assert (await http.delete(f"/api/notas/{segunda['id']}", headers=h["coordinadora"])).status_code == 200
    r = await http.get(f"/api/notas/pendiente/{pendiente}", headers=h["tecnico"])
    assert r.status_code == 200
    assert [n["id"] for n in r.json()["data"]] == [primera["id"], tercera["id"]]
    assert (await http.get(f"/api/notas/pendiente/{pendiente}", headers=h["tecnico2"])).status_code == 403
    assert (await http.get("/api/notas/pendiente/999999999", headers=h["tecnico"])).status_code == 404


async def test_editar_parcial_solo_autor_o_admin(http, h, pendiente, escribir):
    nota = await escribir(pendiente, estadoPendiente="PAUSADO", imagenes=[{"url": FOTO}])
    url = f"/api/notas/{nota['id']}"
    ignorados = {"pendienteId": 123, "empleadoId": 1}
    r = await http.put(url, json={"nota": "corregida", **ignorados}, headers=h["tecnico"])
    assert r.status_code == 200, r.text
    editada = r.json()["data"]
    assert editada == {**nota, "nota": "corregida"}  # the rest, images included, kept
    # imagenes: null leaves them as they are; [] removes them all.
    r = await http.put(url, json={"imagenes": None}, headers=h["tecnico"])
    assert len(r.json()["data"]["imagenes"]) == 1
    r = await http.put(url, json={"imagenes": []}, headers=h["tecnico"])
    assert r.json()["data"]["imagenes"] == []
    # An administrator may edit another's note; the dispatcher sees it but is not its author.
    r = await http.put(url, json={"estadoPendiente": "EN_PROGRESO"}, headers=h["administrador"])
    assert r.status_code == 200 and r.json()["data"]["estadoPendiente"] == "EN_PROGRESO"
    r = await http.put(url, json={"nota": "mía"}, headers=h["coordinadora"])
    assert r.status_code == 403
    assert (await http.put(url, json={"nota": "x"}, headers=h["tecnico2"])).status_code == 403
    for cambio, nombre in [({"nota": None}, "nota"), ({"estadoPendiente": None}, "estadoPendiente")]:
        r = await http.put(url, json=cambio, headers=h["tecnico"])
        assert r.status_code == 422 and campo(r) == nombre
    desconocida = await http.put("/api/notas/999999999", json={"nota": "x"}, headers=h["tecnico"])
    assert desconocida.status_code == 404


async def test_eliminar_es_baja_logica_del_autor(http, h, pendiente, escribir, sessions):
    nota = await escribir(pendiente)
    url = f"/api/notas/{nota['id']}"
    assert (await http.delete(url, headers=h["coordinadora"])).status_code == 403
    assert (await http.delete(url, headers=h["tecnico2"])).status_code == 403
    r = await http.delete(url, headers=h["tecnico"])
    assert r.status_code == 200 and r.json()["data"] is None
    assert (await http.get(url, headers=h["tecnico"])).status_code == 404
    assert (await http.put(url, json={"nota": "x"}, headers=h["tecnico"])).status_code == 404
    assert (await http.delete(url, headers=h["tecnico"])).status_code == 404
    assert (await http.get(url + "/imagenes", headers=h["tecnico"])).status_code == 404
    async with sessions() as s:
        assert (await s.get(m.PendienteNota, nota["id"])).vigente is False
