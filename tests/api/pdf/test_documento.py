"""The PDF renderer alone (no database): data in, a valid A4 document out, whatever the text holds.
Expectations are written from what a reader of the printed page needs, then checked on the text pypdf
extracts and on a page pypdfium2 draws."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pypdfium2
from PIL import Image
from pypdf import PdfReader

from api.pdf.documento import (
    ClienteInforme,
    EntradaHistorial,
    ImagenNota,
    Informe,
    ItemInforme,
    NotaInforme,
    PagoInforme,
    renderizar,
)

# 15:00 UTC is 10:00 in Lima (UTC-5 all year).
EMITIDO = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
A4_PUNTOS = (595.28, 841.89)


def _informe(**cambios) -> Informe:
    base = dict(
        id=4321,
        emitido=EMITIDO,
        cliente=ClienteInforme("Juana Quispe", "DNI 40123456", "CLI000009", "951000111"),
        tipo="AVERIA",
        estado="EN_PROGRESO",
        estado_tecnico="OK",
        prioridad="URGENTE",
        lugar="JULIACA",
        fecha_creacion=EMITIDO - timedelta(days=1),
    )
    return Informe(**(base | cambios))


def _texto(pdf: bytes) -> str:
    lector = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(p.extract_text() or "" for p in lector.pages).split())


def _paginas(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def _foto(formato: str = "PNG", tamano=(640, 480)) -> bytes:
    salida = io.BytesIO()
    imagen = Image.new("RGB", tamano, "white")
    for x in range(0, tamano[0], 40):
        imagen.paste((20, 20, 20), (x, 0, x + 20, tamano[1]))
    imagen.save(salida, format=formato)
    return salida.getvalue()


def test_lo_minimo_se_imprime_y_lo_que_falta_se_dice():
    """No empresa, técnico, dirección, detalle, notas, pagos nor ítems; no right to the history."""
    pdf = renderizar(_informe())
    texto = _texto(pdf)

    assert pdf.startswith(b"%PDF-")
    assert "Orden de trabajo" in texto and "Empresa: no indicada" in texto
    assert "Pendiente N.º 4321" in texto
    assert "Juana Quispe" in texto and "DNI 40123456" in texto and "951000111" in texto
    assert "Avería" in texto and "EN_PROGRESO" in texto and "Urgente" in texto
    assert "Emitido: 02/03/2026 10:00" in texto  # Lima time
    assert "Sin datos adicionales." in texto
    assert "VER_HISTORIAL" in texto
    assert "Sin notas." in texto and "Sin pagos registrados." in texto and "Sin ítems." in texto
    assert "Firma del cliente" in texto and "Firma del técnico" in texto
    assert _paginas(pdf) == 1


def test_la_marca_es_la_empresa_y_otro_lo_dice():
    assert _texto(renderizar(_informe(empresa="WINEX"))).startswith("WINEX")
    assert "Empresa: otra" in _texto(renderizar(_informe(empresa="OTRO")))


def test_texto_fuera_de_latin1_no_rompe_el_documento():
    raro = "Ñandú — “comillas” Привет Ωmega ✓ 😀 中文 fin\x00\x07\u200b"
    informe = _informe(
        cliente=ClienteInforme(raro, None, None, None),
        direccion="Jr. Moquegua N.º 5 – 2.º piso\tinterior",
        detalle=[("Descripción de la falla", raro)],
        notas=[NotaInforme(EMITIDO, "Técnico 😀", raro)],
        historial=[EntradaHistorial(EMITIDO, "sistema", "vencer", "ASIGNADO", "ASIGNADO", detalles=raro)],
    )

    texto = _texto(renderizar(informe))

    for palabra in ("Ñandú", "—", "“comillas”", "Привет", "Ωmega", "Jr. Moquegua N.º 5 – 2.º piso interior"):
        assert palabra in texto
    assert "中" not in texto and "??" in texto  # what the font cannot draw is a visible "?"
    assert "\x00" not in texto and "\x07" not in texto


def test_detalle_largo_y_muchas_entradas_ocupan_varias_paginas():
    larga = "La ONU parpadea en rojo y el cliente reporta cortes intermitentes. " * 60
    entradas = [
        EntradaHistorial(
            EMITIDO + timedelta(minutes=i), f"Actor {i:03d}", "pausar", "EN_PROGRESO", "PAUSADO",
            detalles=f"motivo {i:03d}",
        )
        for i in range(120)
    ]  # fmt: skip
    pdf = renderizar(_informe(detalle=[("Descripción de la falla", larga)], historial=entradas))
    texto = _texto(pdf)

    paginas = _paginas(pdf)
    assert paginas >= 4
    assert f"Página 1 de {paginas}" in texto and f"Página {paginas} de {paginas}" in texto
    # Every row is printed once, in order, across the pages.
    posiciones = [texto.index(f"Actor {i:03d}") for i in range(120)]
    assert posiciones == sorted(posiciones)
    assert texto.count("motivo 119") == 1
    assert "EN_PROGRESO → PAUSADO" in texto
    # The table's head is repeated on the pages it continues on.
    assert texto.count("Fecha y hora") >= 3


def test_totales_de_items_y_pagos():
    items = [
        ItemInforme("Router", 2, Decimal("120.00"), Decimal("240.00"), "TP-Link"),
        ItemInforme("Cable UTP", 35, Decimal("1.50"), Decimal("52.50")),
        ItemInforme("Instalación", 1, Decimal("1000.00"), Decimal("1000.00")),
    ]
    pagos = [
        PagoInforme(date(2026, 3, 1), "EFECTIVO", Decimal("47.00"), "REC-1", "Ana Torres"),
        PagoInforme(date(2026, 3, 2), "BCP", Decimal("1200.50")),
    ]
    texto = _texto(renderizar(_informe(items=items, pagos=pagos)))

    assert "Total de materiales y servicios: S/ 1,292.50" in texto
    assert "Total pagado: S/ 1,247.50" in texto
    assert "S/ 52.50" in texto and "01/03/2026" in texto and "Efectivo" in texto and "REC-1" in texto


def test_las_fotos_se_incrustan_y_las_rotas_se_nombran():
    notas = [
        NotaInforme(
            EMITIDO,
            "Edwin Mamani",
            "ONU cambiada",
            "EN_PROGRESO",
            [
                ImagenNota("a.png", _foto("PNG")),
                ImagenNota("b.jpg", _foto("JPEG", (3000, 1000))),
                ImagenNota("c.gif", _foto("GIF", (50, 50))),
                ImagenNota("rota.jpg", b"\xff\xd8\xff" + b"no soy una foto"),
                ImagenNota("https://otro.sitio/x.jpg"),
            ],
        )
    ]
    pdf = renderizar(_informe(notas=notas))
    lector = PdfReader(io.BytesIO(pdf))
    texto = _texto(pdf)

    assert sum(len(p.images) for p in lector.pages) == 3
    assert "ONU cambiada" in texto and "02/03/2026 10:00 · Edwin Mamani · EN_PROGRESO" in texto
    assert "[imagen no disponible: rota.jpg]" in texto
    assert "[imagen no disponible: https://otro.sitio/x.jpg]" in texto


def test_la_pagina_es_a4_y_no_esta_en_blanco():
    pdf = renderizar(_informe(empresa="SIMAX"))
    documento = pypdfium2.PdfDocument(pdf)
    pagina = documento[0]
    assert tuple(round(v, 2) for v in pagina.get_size()) == A4_PUNTOS
    imagen = pagina.render(scale=1).to_pil().convert("L")
    oscuros = sum(imagen.histogram()[:128])
    assert oscuros > 2000  # text and rules, not an empty sheet
    documento.close()
