"""Note images over HTTP: uploads checked by content and size, random names on disk, set-sync by URL
that removes files, and the file route that needs a token and the right to see the pendiente."""

from __future__ import annotations

import contextlib
import re

import pytest
from sqlalchemy import select

from db import models as m

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(40)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40)
GIF = b"GIF89a" + bytes(20)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(30)
NOMBRE = re.compile(r"^/uploads/notas/[0-9a-f]{32}\.(jpg|png|gif|webp)$")


@pytest.fixture
async def nota(crear, http, h) -> dict:
    pendiente = await crear("EN_PROGRESO")
    r = await http.post("/api/notas", json={"pendienteId": pendiente, "nota": "fotos"}, headers=h["tecnico"])
    assert r.status_code == 201, r.text
    return r.json()["data"]


@pytest.fixture
def subir(http, h):
    async def _subir(nota_id: int, *archivos: tuple[str, bytes, str], rol: str = "tecnico"):
        partes = [("files", a) for a in archivos]
        return await http.post(f"/api/notas/{nota_id}/imagenes/upload", files=partes, headers=h[rol])

    return _subir


def archivo_de(carpeta, url: str):
    return carpeta / "notas" / url.rsplit("/", 1)[1]


async def test_subir_reconoce_por_contenido_y_guarda_con_nombre_aleatorio(
    http, h, nota, subir, carpeta_uploads, sessions
):
    # Names and declared types lie on purpose: only the bytes count.
    r = await subir(
        nota["id"],
        ("../../foto.exe", PNG, "application/octet-stream"),
        ("b.png", JPEG, "image/png"),
        ("c", GIF, "text/plain"),
        ("d.jpg", WEBP, "image/jpeg"),
    )
    assert r.status_code == 201, r.text
    subidas = r.json()["data"]
    assert [u["url"].rsplit(".", 1)[1] for u in subidas] == ["png", "jpg", "gif", "webp"]
    assert all(NOMBRE.match(u["url"]) and u["notaId"] == nota["id"] for u in subidas)
    assert archivo_de(carpeta_uploads, subidas[0]["url"]).read_bytes() == PNG

    async with sessions() as s:
        fila = await s.get(m.PendienteNotaImagen, subidas[1]["id"])
    assert (fila.content_type, fila.tamano_bytes) == ("image/jpeg", len(JPEG))

    listado = await http.get(f"/api/notas/{nota['id']}/imagenes", headers=h["coordinadora"])
    assert listado.status_code == 200 and listado.json()["data"] == subidas
    leida = await http.get(f"/api/notas/{nota['id']}", headers=h["tecnico"])
    assert leida.json()["data"]["imagenes"] == subidas
    async with sessions() as s:
        filas = await s.scalars(
            select(m.PendienteNotaImagen.url).where(m.PendienteNotaImagen.nota_id == nota["id"])
        )
        assert len(list(filas)) == 4


async def test_no_imagen_rechazada_y_nada_queda(http, h, nota, subir, carpeta_uploads):
    antes = set((carpeta_uploads / "notas").glob("*")) if (carpeta_uploads / "notas").exists() else set()
    r = await subir(
        nota["id"], ("ok.png", PNG, "image/png"), ("foto.jpg", b"hola, no soy una foto", "image/jpeg")
    )
    assert r.status_code == 422, r.text
    data = r.json()["data"]
    assert data["campo"] == "files" and data["indice"] == 1 and data["archivo"] == "foto.jpg"
    vacio = await subir(nota["id"], ("vacia.png", b"", "image/png"))
    assert vacio.status_code == 422 and vacio.json()["data"]["campo"] == "files"
    # All or nothing: the valid first file was not kept either.
    despues = set((carpeta_uploads / "notas").glob("*")) if (carpeta_uploads / "notas").exists() else set()
    assert despues == antes
    assert (await http.get(f"/api/notas/{nota['id']}/imagenes", headers=h["tecnico"])).json()["data"] == []


async def test_demasiado_grande(app, nota, subir):
    original = app.state.settings
    # Set and restored by hand: monkeypatch cannot restore an attribute of Starlette's State.
    app.state.settings = original.model_copy(update={"max_imagen_bytes": len(PNG)})
    try:
        assert (await subir(nota["id"], ("justo.png", PNG, "image/png"))).status_code == 201
        r = await subir(nota["id"], ("grande.png", PNG + b"\x00", "image/png"))
    finally:
        app.state.settings = original
    assert r.status_code == 413, r.text
    assert r.json()["data"]["campo"] == "files" and r.json()["code"] == 413


async def test_subida_sin_parte_o_mal_formada(http, h, nota):
    url = f"/api/notas/{nota['id']}/imagenes/upload"
    for kwargs in (
        {},
        {"files": [("otra", ("a.png", PNG, "image/png"))]},
        {"json": {"files": []}},
        {"data": {"files": "texto"}},
    ):
        r = await http.post(url, headers=h["tecnico"], **kwargs)
        assert r.status_code == 422, (kwargs, r.text)
        assert r.json()["data"]["campo"].startswith("files")


async def test_subir_404_403(http, h, nota, subir):
    png = ("a.png", PNG, "image/png")
    assert (await subir(999999999, png)).status_code == 404
    assert (await subir(nota["id"], png, rol="tecnico2")).status_code == 403  # not his pendiente
    assert (await subir(nota["id"], png, rol="coordinadora")).status_code == 403  # not her note
    assert (await subir(nota["id"], png, rol="administrador")).status_code == 201
    r = await http.post(f"/api/notas/{nota['id']}/imagenes/upload", files=[("files", png)])
    assert r.status_code == 401


async def test_listar_imagenes_404_403(http, h, nota):
    assert (await http.get("/api/notas/999999999/imagenes", headers=h["tecnico"])).status_code == 404
    assert (await http.get(f"/api/notas/{nota['id']}/imagenes", headers=h["tecnico2"])).status_code == 403


async def test_servir_exige_token_y_visibilidad(http, h, nota, subir):
    [imagen] = (await subir(nota["id"], ("a.png", PNG, "image/png"))).json()["data"]
    url = imagen["url"]
    sin_token = await http.get(url)
    assert sin_token.status_code == 401 and sin_token.json()["code"] == 401
    for rol in ("tecnico", "coordinadora", "administrador"):
        r = await http.get(url, headers=h[rol])
        assert r.status_code == 200, rol
        assert r.content == PNG and r.headers["content-type"] == "image/png"
        assert r.headers["x-content-type-options"] == "nosniff"
    # Not his pendiente: the same 404 as a name that does not exist.
    assert (await http.get(url, headers=h["tecnico2"])).status_code == 404


@pytest.mark.parametrize(
    "ruta",
    [
        "/uploads/notas/" + "0" * 32 + ".png",
        "/uploads/notas/..%2F..%2Fpyproject.toml",
        "/uploads/notas/%2e%2e%2f%2e%2e%2fpyproject.toml",
        "/uploads/notas/..",
        "/uploads/notas/.env",
        "/uploads/notas/a.png%00.txt",
        "/uploads/notas/" + "A" * 32 + ".png",
        "/uploads/notas/" + "a" * 300 + ".png",
    ],
)
async def test_servir_sin_salir_de_la_carpeta(http, h, ruta):
    r = await http.get(ruta, headers=h["administrador"])
    assert r.status_code == 404, r.text


async def test_nota_eliminada_no_sirve_sus_imagenes(http, h, nota, subir):
    [imagen] = (await subir(nota["id"], ("a.gif", GIF, "image/gif"))).json()["data"]
    assert (await http.delete(f"/api/notas/{nota['id']}", headers=h["tecnico"])).status_code == 200
    assert (await http.get(imagen["url"], headers=h["tecnico"])).status_code == 404


async def test_sincronizar_por_url_borra_filas_y_archivos(http, h, nota, subir, carpeta_uploads):
    a, b = (await subir(nota["id"], ("a.png", PNG, "image/png"), ("b.jpg", JPEG, "image/jpeg"))).json()[
        "data"
    ]
    externa = "https://fotos.simax.pe/poste.jpg"
    url = f"/api/notas/{nota['id']}/imagenes"
    cuerpo = [{"url": a["url"], "notaId": nota["id"]}, {"url": externa}, {"url": externa}]
    r = await http.put(url, json=cuerpo, headers=h["tecnico"])
    assert r.status_code == 200, r.text
    resultado = r.json()["data"]
    assert [i["url"] for i in resultado] == [a["url"], externa]
    assert resultado[0]["id"] == a["id"]  # kept rows keep their id
    assert archivo_de(carpeta_uploads, a["url"]).is_file()
    assert not archivo_de(carpeta_uploads, b["url"]).exists()  # the removed row took its file along
    assert (await http.get(b["url"], headers=h["tecnico"])).status_code == 404

    # The same set again changes nothing: no duplicate rows, same ids.
    again = await http.put(url, json=cuerpo, headers=h["tecnico"])
    assert again.json()["data"] == resultado

    # A removed file cannot come back by URL: it would have to be uploaded again.
    r = await http.put(url, json=[{"url": b["url"]}], headers=h["tecnico"])
    assert r.status_code == 422 and r.json()["data"]["campo"] == "0.url"
    r = await http.put(url, json=[{"url": externa, "notaId": nota["id"] + 1}], headers=h["tecnico"])
    assert r.status_code == 422 and r.json()["data"]["campo"] == "0.notaId"
    r = await http.put(url, json={"url": externa}, headers=h["tecnico"])
    assert r.status_code == 422

    # Through the note's own PUT, the same rules and the same clean-up.
    r = await http.put(f"/api/notas/{nota['id']}", json={"imagenes": []}, headers=h["tecnico"])
    assert r.status_code == 200 and r.json()["data"]["imagenes"] == []
    assert not archivo_de(carpeta_uploads, a["url"]).exists()


async def test_sincronizar_404_403(http, h, nota):
    cuerpo = [{"url": "https://fotos.simax.pe/x.jpg"}]
    assert (
        await http.put("/api/notas/999999999/imagenes", json=cuerpo, headers=h["tecnico"])
    ).status_code == 404
    url = f"/api/notas/{nota['id']}/imagenes"
    assert (await http.put(url, json=cuerpo, headers=h["tecnico2"])).status_code == 403
    assert (await http.put(url, json=cuerpo, headers=h["coordinadora"])).status_code == 403
    assert (await http.put(url, json=cuerpo)).status_code == 401


# --- Bounds (README, Configuration): 20 files per upload, 50 images per note, 100 per pendiente, ------
# --- 25 MiB per upload body -------------------------------------------------------------------------


def test_limites_documentados(settings):
    assert settings.max_imagenes_por_subida == 20
    assert settings.max_imagenes_por_pendiente == 100
    assert settings.max_subida_bytes == 25 * 1024 * 1024


def _pngs(n: int) -> list[tuple[str, bytes, str]]:
    return [(f"{i}.png", PNG, "image/png") for i in range(n)]


async def _cuantas(http, h, nota_id: int) -> int:
    return len((await http.get(f"/api/notas/{nota_id}/imagenes", headers=h["tecnico"])).json()["data"])


def _limite_excedido(r, status: int = 422) -> str:
    assert r.status_code == status, r.text
    assert r.json()["code"] == status and r.json()["data"]["campo"] == "files"
    return r.json()["message"]


async def test_a_lo_sumo_20_archivos_por_subida(http, h, nota, subir):
    assert "20" in _limite_excedido(await subir(nota["id"], *_pngs(21)))
    assert await _cuantas(http, h, nota["id"]) == 0
    assert (await subir(nota["id"], *_pngs(20))).status_code == 201


async def test_a_lo_sumo_50_imagenes_por_nota(http, h, nota, subir):
    for lote in (20, 20, 10):
        assert (await subir(nota["id"], *_pngs(lote))).status_code == 201
    assert "50" in _limite_excedido(await subir(nota["id"], *_pngs(1)))
    assert await _cuantas(http, h, nota["id"]) == 50


@contextlib.contextmanager
def _con(app, **cambios):
    """The app's settings changed for one block (monkeypatch cannot restore Starlette's State)."""
    original = app.state.settings
    app.state.settings = original.model_copy(update=cambios)
    try:
        yield
    finally:
        app.state.settings = original


async def test_las_imagenes_de_todas_las_notas_de_un_pendiente_tienen_un_tope(app, http, h, nota, subir):
    r = await http.post(
        "/api/notas", json={"pendienteId": nota["pendienteId"], "nota": "más"}, headers=h["tecnico"]
    )
    otra = r.json()["data"]
    with _con(app, max_imagenes_por_pendiente=3):
        assert (await subir(nota["id"], *_pngs(2))).status_code == 201
        assert "3" in _limite_excedido(await subir(otra["id"], *_pngs(2)))
        assert (await subir(otra["id"], *_pngs(1))).status_code == 201
        _limite_excedido(await subir(otra["id"], *_pngs(1)))
        # A deleted note's images no longer count.
        assert (await http.delete(f"/api/notas/{nota['id']}", headers=h["tecnico"])).status_code == 200
        assert (await subir(otra["id"], *_pngs(2))).status_code == 201


async def test_un_cuerpo_demasiado_grande_se_rechaza_antes_de_leerlo(app, http, h, nota, carpeta_uploads):
    url = f"/api/notas/{nota['id']}/imagenes/upload"
    leidos = 0

    async def trozos():
        """A 1 MiB body without a length, sent in 4 kB pieces: the server must stop reading at 64 kB."""
        nonlocal leidos
        yield b'--limite\r\nContent-Disposition: form-data; name="files"; filename="a.png"\r\n\r\n' + PNG
        for _ in range(256):
            leidos += 1
            yield bytes(4096)

    cabeceras = h["tecnico"] | {"content-type": "multipart/form-data; boundary=limite"}
    with _con(app, max_subida_bytes=64 * 1024):
        # Announced too large: refused on the Content-Length alone.
        grande = {"content-length": str(64 * 1024 + 1)}
        r = await http.post(url, content=b"x", headers=cabeceras | grande)
        assert "65536" in _limite_excedido(r, 413)
        # No length (chunked): refused once 64 KiB have arrived, not at the end of the stream.
        r = await http.post(url, content=trozos(), headers=cabeceras)
    assert "65536" in _limite_excedido(r, 413)
    assert leidos <= 64 * 1024 // 4096 + 2
    assert await _cuantas(http, h, nota["id"]) == 0
