"""The work order as a PDF: plain data in (`Informe`), bytes out (`renderizar`). No database, no HTTP,
no clock: the service gathers the data, this module only lays it out, so a unit test drives it alone.

A4 portrait, black and white friendly (text in black, rules and table heads in light grey, nothing said
by colour alone). The text is set in DejaVu Sans, vendored in `fuentes/` with its licence, so any Latin,
Greek or Cyrillic text prints as typed; a character the font lacks (an emoji, CJK) is printed as "?" and
control characters are dropped, so no user text can break the render."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout, XPos, YPos
from PIL import Image, UnidentifiedImageError

from domain.palabras import en_palabras
from domain.zona import LIMA

FUENTES = Path(__file__).parent / "fuentes"
FAMILIA = "DejaVu"
SUSTITUTO = "?"

# A photo is printed at most this big (mm), two to a row; it is re-encoded to at most this many pixels
# on its longer side first, so a 5 MiB upload does not make a 5 MiB page.
ANCHO_IMAGEN, ALTO_IMAGEN, SEPARACION = 86.0, 64.0, 6.0
LADO_MAXIMO_PX = 1400
# Refused before decoding: a small file can declare a huge canvas (a decompression bomb).
PIXELES_MAXIMOS = 40_000_000

GRIS_CLARO = 230
GRIS_LINEA = 150

# The brands the ISP prints; OTRO or no empresa get the generic header (see `_marca`).
MARCAS = {"SIMAX": "SIMAX", "WINEX": "WINEX"}


# -- The data the document shows ---------------------------------------------------------------------


@dataclass(frozen=True)
class ClienteInforme:
    nombre: str
    documento: str | None = None  # "DNI 40123456"
    codigo: str | None = None
    telefono: str | None = None


@dataclass(frozen=True)
class EntradaHistorial:
    fecha: datetime
    actor: str
    accion: str
    estado_anterior: str | None
    estado: str
    estado_tecnico_anterior: str | None = None
    estado_tecnico: str | None = None
    detalles: str | None = None


@dataclass(frozen=True)
class ImagenNota:
    """`contenido` None: the file could not be read (missing, or an external URL never fetched)."""

    referencia: str
    contenido: bytes | None = None


@dataclass(frozen=True)
class NotaInforme:
    fecha: datetime
    autor: str
    texto: str | None
    estado: str | None = None
    imagenes: list[ImagenNota] = field(default_factory=list)


@dataclass(frozen=True)
class PagoInforme:
    fecha: date
    metodo: str
    monto: Decimal
    referencia: str | None = None
    registrado_por: str | None = None


@dataclass(frozen=True)
class ItemInforme:
    producto: str
    cantidad: int
    costo_unitario: Decimal
    costo_total: Decimal
    descripcion: str | None = None


@dataclass(frozen=True)
class Informe:
    id: int
    emitido: datetime
    cliente: ClienteInforme
    tipo: str
    estado: str
    estado_tecnico: str
    prioridad: str
    lugar: str
    fecha_creacion: datetime
    empresa: str | None = None
    direccion: str | None = None
    fecha_pendiente: datetime | None = None
    tecnico: str | None = None
    registrado_por: str | None = None
    estado_sla: str | None = None
    # (label, value) pairs of the type's detail, already chosen by the service (never a password).
    detalle: list[tuple[str, str]] = field(default_factory=list)
    # None: the caller may not read the history (VER_HISTORIAL); the document says so.
    historial: list[EntradaHistorial] | None = None
    notas: list[NotaInforme] = field(default_factory=list)
    pagos: list[PagoInforme] = field(default_factory=list)
    items: list[ItemInforme] = field(default_factory=list)


# -- Formatting --------------------------------------------------------------------------------------


def fecha_hora(valor: datetime | None) -> str:
    """Lima time, dd/mm/aaaa hh:mm (a naive value is taken as Lima already)."""
    if valor is None:
        return "—"
    if valor.tzinfo is not None:
        valor = valor.astimezone(LIMA)
    return valor.strftime("%d/%m/%Y %H:%M")


def fecha(valor: date | None) -> str:
    return valor.strftime("%d/%m/%Y") if valor else "—"


def soles(valor: Decimal) -> str:
    return f"S/ {valor:,.2f}"


def total_items(items: list[ItemInforme]) -> Decimal:
    return sum((i.costo_total for i in items), Decimal("0"))


def total_pagos(pagos: list[PagoInforme]) -> Decimal:
    return sum((p.monto for p in pagos), Decimal("0"))


@cache
def _cubiertos() -> frozenset[int]:
    """The code points both vendored faces can draw."""
    caracteres: set[int] | None = None
    for archivo in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        with TTFont(FUENTES / archivo, lazy=True) as fuente:
            propios = set(fuente.getBestCmap())
        caracteres = propios if caracteres is None else caracteres & propios
    return frozenset(caracteres or ())


def limpio(texto: object) -> str:
    """User text made printable: NFC, tabs and other spaces as spaces, control characters dropped,
    characters the font lacks as "?"."""
    if texto is None:
        return ""
    cubiertos = _cubiertos()
    salida = []
    for c in unicodedata.normalize("NFC", str(texto)):
        if c == "\n":
            salida.append(c)
        elif c in "\t\r\v\f" or unicodedata.category(c) == "Zs":
            salida.append(" ")
        elif unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            salida.append(c if ord(c) in cubiertos else SUSTITUTO)
    return "".join(salida)


def _o_guion(texto: object) -> str:
    return limpio(texto) if texto not in (None, "") else "—"


def preparar_imagen(contenido: bytes) -> bytes | None:
    """A JPEG copy no larger than LADO_MAXIMO_PX, flattened on white; None when it cannot be decoded
    (a file that passed the upload's magic-byte check may still be broken) or is absurdly large."""
    try:
        with Image.open(io.BytesIO(contenido)) as imagen:
            if imagen.width * imagen.height > PIXELES_MAXIMOS:
                return None
            imagen.draft("RGB", (LADO_MAXIMO_PX, LADO_MAXIMO_PX))  # JPEG: decode at a smaller scale
            imagen.seek(0)  # an animated GIF prints its first frame
            imagen.load()
            imagen.thumbnail((LADO_MAXIMO_PX, LADO_MAXIMO_PX))
            rgba = imagen.convert("RGBA")
        fondo = Image.new("RGB", rgba.size, "white")
        fondo.paste(rgba, mask=rgba.getchannel("A"))
        salida = io.BytesIO()
        fondo.save(salida, format="JPEG", quality=80, optimize=True)
        return salida.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, EOFError):
        return None


# -- Layout ------------------------------------------------------------------------------------------


class _Documento(FPDF):
    def __init__(self, informe: Informe) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.informe = informe
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.add_font(FAMILIA, "", FUENTES / "DejaVuSans.ttf")
        self.add_font(FAMILIA, "B", FUENTES / "DejaVuSans-Bold.ttf")
        self.set_lang("es")
        self.set_title(f"Orden de trabajo — pendiente {informe.id}")
        self.set_creator("pendientes")
        self.set_creation_date(informe.emitido)
        # Large photos are embedded at the resolution the page needs, not their own.
        self.oversized_images = "DOWNSCALE"

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILIA, "", 7.5)
        self.set_text_color(0)
        pie = (
            f"Pendiente N.º {self.informe.id} · emitido el {fecha_hora(self.informe.emitido)} (hora de Lima)"
        )
        self.cell(0, 4, pie, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Página {self.page_no()} de {{nb}}", align="R")

    # -- pieces

    def texto(self, contenido: str, tamano: float = 9, estilo: str = "", alto: float = 4.6) -> None:
        self.set_font(FAMILIA, estilo, tamano)
        self.multi_cell(0, alto, contenido, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def seccion(self, titulo: str) -> None:
        # Keep a heading with at least a few lines of what follows it.
        if self.will_page_break(22):
            self.add_page()
        self.ln(2.5)
        self.set_font(FAMILIA, "B", 11)
        self.set_fill_color(GRIS_CLARO)
        self.cell(0, 6.5, " " + titulo, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_fill_color(255)  # tables fill their cells with the current colour
        self.ln(1.5)

    def pares(self, filas: list[tuple[str, str]], columnas: int = 1, anchos: tuple[str, ...] = ()) -> None:
        """Label: value rows, `columnas` pairs to a row; a label in `anchos` takes a whole row."""
        self.set_font(FAMILIA, "", 9)
        ancho_valor = 180 / columnas - 35
        with self.table(
            col_widths=(35, ancho_valor) * columnas,
            first_row_as_headings=False,
            borders_layout=TableBordersLayout.NONE,
            text_align="LEFT",
            line_height=4.6,
            padding=(0.5, 1, 0.5, 0),
        ) as tabla:
            fila, usadas = None, columnas
            for etiqueta, valor in filas:
                completa = etiqueta in anchos
                if usadas == columnas or completa:
                    fila, usadas = tabla.row(), 0
                fila.cell(etiqueta, style=FontFace(emphasis="B"))
                fila.cell(valor, colspan=2 * (columnas - usadas) - 1 if completa else 1)
                usadas = columnas if completa else usadas + 1
            if fila is not None and usadas < columnas:
                fila.cell("", colspan=2 * (columnas - usadas))

    def tabla(
        self, cabecera: tuple[str, ...], filas: list[tuple[str, ...]], anchos: tuple[float, ...], alinear
    ) -> None:
        self.set_font(FAMILIA, "", 8.5)
        self.set_draw_color(GRIS_LINEA)
        with self.table(
            col_widths=anchos,
            text_align=alinear,
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            headings_style=FontFace(emphasis="B", fill_color=GRIS_CLARO),
            line_height=4.4,
            padding=(1, 1.2),
            repeat_headings=1,
        ) as tabla:
            tabla.row(cabecera)
            for fila in filas:
                tabla.row(fila)
        self.set_draw_color(0)

    def total(self, etiqueta: str, valor: Decimal) -> None:
        self.set_font(FAMILIA, "B", 10)
        self.cell(0, 7, f"{etiqueta}: {soles(valor)}", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _marca(empresa: str | None) -> tuple[str, str]:
    """(header title, line under it). A known brand heads the page; OTRO or no empresa print the generic
    title and say which case it is."""
    if empresa in MARCAS:
        return MARCAS[empresa], "Orden de trabajo · servicio técnico"
    if empresa is None:
        return "Orden de trabajo", "Empresa: no indicada"
    return "Orden de trabajo", "Empresa: otra"


def _cabecera(doc: _Documento, inf: Informe) -> None:
    titulo, subtitulo = _marca(inf.empresa)
    doc.set_font(FAMILIA, "B", 20)
    doc.cell(110, 10, titulo)
    doc.set_font(FAMILIA, "B", 13)
    doc.cell(0, 10, f"Pendiente N.º {inf.id}", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_font(FAMILIA, "", 9)
    doc.cell(110, 5, subtitulo)
    doc.cell(0, 5, f"Emitido: {fecha_hora(inf.emitido)}", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_line_width(0.6)
    doc.line(doc.l_margin, doc.get_y() + 2, doc.w - doc.r_margin, doc.get_y() + 2)
    doc.set_line_width(0.2)
    doc.ln(4)


def _cliente(doc: _Documento, inf: Informe) -> None:
    c = inf.cliente
    doc.seccion("Cliente")
    doc.pares(
        [
            ("Nombre", _o_guion(c.nombre)),
            ("Documento", _o_guion(c.documento)),
            ("Código", _o_guion(c.codigo)),
            ("Teléfono", _o_guion(c.telefono)),
            ("Dirección", _o_guion(inf.direccion)),
        ],
        columnas=2,
        anchos=("Dirección",),
    )


def _trabajo(doc: _Documento, inf: Informe) -> None:
    doc.seccion("Trabajo")
    filas = [
        ("Tipo", limpio(en_palabras(inf.tipo))),
        ("Lugar", limpio(inf.lugar)),
        ("Prioridad", limpio(en_palabras(inf.prioridad))),
        ("Estado", limpio(inf.estado)),
        ("Estado técnico", limpio(inf.estado_tecnico)),
    ]
    if inf.estado_sla:
        filas.append(("Plazo (SLA)", limpio(inf.estado_sla)))
    filas += [
        ("Fecha prevista", fecha_hora(inf.fecha_pendiente)),
        ("Técnico", _o_guion(inf.tecnico)),
        ("Registrado por", _o_guion(inf.registrado_por)),
        ("Registrado el", fecha_hora(inf.fecha_creacion)),
    ]
    doc.pares(filas, columnas=2)
    doc.seccion(f"Detalle: {limpio(en_palabras(inf.tipo))}")
    if inf.detalle:
        doc.pares([(limpio(e), _o_guion(v)) for e, v in inf.detalle])
    else:
        doc.texto("Sin datos adicionales.")


def _cambio(anterior: str | None, nuevo: str | None) -> str:
    if not nuevo or anterior == nuevo:
        return ""
    return f"{anterior} → {nuevo}" if anterior else nuevo


def _historial(doc: _Documento, inf: Informe) -> None:
    doc.seccion("Historial")
    if inf.historial is None:
        doc.texto("El historial se imprime solo para quien tiene el permiso VER_HISTORIAL.")
        return
    if not inf.historial:
        doc.texto("Sin entradas.")
        return
    filas = []
    for e in inf.historial:
        estados = [_cambio(e.estado_anterior, e.estado) or limpio(e.estado)]
        # The network state is shown when an entry changed it (creation sets it: not a change).
        if e.estado_tecnico_anterior and (tecnico := _cambio(e.estado_tecnico_anterior, e.estado_tecnico)):
            estados.append(f"técnico: {tecnico}")
        # "configurar_pppoe" as words, so a narrow column wraps between them.
        accion = limpio(e.accion).replace("_", " ")
        fila = (fecha_hora(e.fecha), limpio(e.actor), accion, "\n".join(estados), limpio(e.detalles))
        filas.append(fila)
    cabecera = ("Fecha y hora", "Quién", "Acción", "Estado", "Detalle")
    doc.tabla(cabecera, filas, (25, 31, 25, 50, 49), ("LEFT",) * 5)


def _imagenes(doc: _Documento, imagenes: list[ImagenNota]) -> None:
    x0 = doc.l_margin
    columna, alto_fila = 0, 0.0
    for imagen in imagenes:
        preparada = preparar_imagen(imagen.contenido) if imagen.contenido else None
        if preparada is None:
            doc.texto(f"[imagen no disponible: {limpio(imagen.referencia)}]", tamano=8)
            continue
        if columna == 0 and doc.will_page_break(ALTO_IMAGEN + 2):
            doc.add_page()
        y = doc.get_y()
        x = x0 + columna * (ANCHO_IMAGEN + SEPARACION)
        info = doc.image(
            io.BytesIO(preparada), x=x, y=y, w=ANCHO_IMAGEN, h=ALTO_IMAGEN, keep_aspect_ratio=True
        )
        alto_fila = max(alto_fila, info.rendered_height)
        columna = (columna + 1) % 2
        if columna == 0:
            doc.set_y(y + alto_fila + 3)
            alto_fila = 0.0
    if columna == 1:
        doc.set_y(doc.get_y() + alto_fila + 3)


def _notas(doc: _Documento, inf: Informe) -> None:
    doc.seccion("Notas")
    if not inf.notas:
        doc.texto("Sin notas.")
        return
    for nota in inf.notas:
        if doc.will_page_break(14):
            doc.add_page()
        estado = f" · {limpio(nota.estado)}" if nota.estado else ""
        doc.texto(f"{fecha_hora(nota.fecha)} · {limpio(nota.autor)}{estado}", tamano=8.5, estilo="B")
        if nota.texto:
            doc.texto(limpio(nota.texto))
        if nota.imagenes:
            doc.ln(1)
            _imagenes(doc, nota.imagenes)
        doc.ln(2)


def _pagos(doc: _Documento, inf: Informe) -> None:
    doc.seccion("Pagos")
    if not inf.pagos:
        doc.texto("Sin pagos registrados.")
        return
    filas = [
        (fecha(p.fecha), limpio(en_palabras(p.metodo)), _o_guion(p.referencia),
         _o_guion(p.registrado_por), soles(p.monto))
        for p in inf.pagos
    ]  # fmt: skip
    cabecera = ("Fecha", "Método", "Referencia", "Registrado por", "Monto")
    doc.tabla(cabecera, filas, (24, 30, 50, 46, 30), ("LEFT", "LEFT", "LEFT", "LEFT", "RIGHT"))
    doc.total("Total pagado", total_pagos(inf.pagos))


def _items(doc: _Documento, inf: Informe) -> None:
    doc.seccion("Materiales y servicios")
    if not inf.items:
        doc.texto("Sin ítems.")
        return
    filas = [
        (limpio(i.producto), _o_guion(i.descripcion), str(i.cantidad), soles(i.costo_unitario),
         soles(i.costo_total))
        for i in inf.items
    ]  # fmt: skip
    cabecera = ("Producto", "Descripción", "Cant.", "P. unitario", "Total")
    doc.tabla(cabecera, filas, (52, 58, 14, 28, 28), ("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"))
    doc.total("Total de materiales y servicios", total_items(inf.items))


def _firmas(doc: _Documento, inf: Informe) -> None:
    if doc.will_page_break(62):
        doc.add_page()
    doc.seccion("Conformidad")
    doc.texto(
        "El cliente declara que el trabajo descrito en esta orden fue realizado y lo recibe conforme, "
        "salvo las observaciones que anote a continuación."
    )
    doc.set_font(FAMILIA, "", 9)
    doc.cell(0, 6, "Observaciones: " + "_" * 78, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.ln(12)
    ancho = (doc.w - doc.l_margin - doc.r_margin - 12) / 2
    y = doc.get_y()
    for columna, (titulo, nombre) in enumerate((("Firma del cliente", inf.cliente.nombre),
                                                ("Firma del técnico", inf.tecnico))):  # fmt: skip
        x = doc.l_margin + columna * (ancho + 12)
        doc.line(x, y, x + ancho, y)
        doc.set_xy(x, y + 1)
        doc.set_font(FAMILIA, "B", 9)
        doc.cell(ancho, 5, titulo, align="C")
        for i, etiqueta in enumerate(("Nombre", "DNI", "Fecha")):
            doc.set_xy(x, y + 9 + i * 8)
            doc.set_font(FAMILIA, "", 9)
            valor = limpio(nombre) if etiqueta == "Nombre" and nombre else ""
            doc.cell(18, 6, f"{etiqueta}:")
            doc.cell(ancho - 18, 6, valor, border="B")
    doc.set_xy(doc.l_margin, y + 36)


def renderizar(informe: Informe) -> bytes:
    """The whole document, in reading order."""
    doc = _Documento(informe)
    doc.add_page()
    doc.set_text_color(0)
    for parte in (_cabecera, _cliente, _trabajo, _historial, _notas, _pagos, _items, _firmas):
        parte(doc, informe)
    return bytes(doc.output())
