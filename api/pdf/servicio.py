"""Every read behind the work-order PDF: one pendiente the caller may see, with what hangs from it, as the
plain data of api/pdf/documento.py. Who sees what is the rule the other reads follow: the pendiente as
GET /api/pendientes/{id} (domain/visibilidad.py), the historial only with VER_HISTORIAL (as
/api/historiales), and the detail through a list of printable fields, so a PPPoE password, in clear or
encrypted, is never read into the document."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.comun.deps import UsuarioActual
from api.comun.visibilidad import pendiente_visible
from api.pdf.documento import (
    ClienteInforme,
    EntradaHistorial,
    ImagenNota,
    Informe,
    ItemInforme,
    NotaInforme,
    PagoInforme,
)
from db import models as m
from db.lectura import detalle_de
from domain.permisos import Permiso
from infra import almacen

# The detail's printable fields, by column, with their label. Anything not listed (the PPPoE password's
# ciphertext above all) never reaches the document, whatever columns a detail table gains later.
CAMPOS_DETALLE = (
    ("descripcion_falla", "Descripción de la falla"),
    ("velocidad_solicitada", "Velocidad solicitada"),
    ("tipo_instalacion", "Tipo de instalación"),
    ("costo_fijo", "Costo fijo (S/)"),
    ("dispositivo", "Dispositivo"),
    ("motivo", "Motivo"),
    ("lugar_destino", "Lugar de destino"),
    ("direccion_destino", "Dirección de destino"),
    ("tipo_servicio", "Tipo de servicio"),
    ("vlan", "VLAN"),
    ("pppoe_usuario", "Usuario PPPoE"),
)


def _nombre(empleado: m.Empleado | None) -> str | None:
    if empleado is None:
        return None
    return " ".join(p for p in (empleado.nombre, empleado.apellido_paterno) if p)


def _detalle(detalle: m.Base | None) -> list[tuple[str, str]]:
    pares = []
    for columna, etiqueta in CAMPOS_DETALLE:
        valor = getattr(detalle, columna, None)
        if valor not in (None, ""):
            pares.append((etiqueta, str(valor)))
    return pares


def _cliente(cliente: m.Cliente) -> ClienteInforme:
    documento = f"{cliente.tipo_documento} {cliente.numero_documento}" if cliente.numero_documento else None
    return ClienteInforme(
        nombre=cliente.nombre, documento=documento, codigo=cliente.codigo_cliente, telefono=cliente.telefono
    )


async def _historial(session: AsyncSession, pendiente_id: int) -> list[EntradaHistorial]:
    filas = await session.scalars(
        select(m.Historial)
        .where(m.Historial.pendiente_id == pendiente_id, m.Historial.vigente.is_(True))
        .order_by(m.Historial.fecha_creacion, m.Historial.id)
    )
    return [
        EntradaHistorial(
            fecha=h.fecha_creacion,
            actor=h.actor_nombre,
            accion=h.accion,
            estado_anterior=h.estado_anterior,
            estado=h.estado,
            estado_tecnico_anterior=h.estado_tecnico_anterior,
            estado_tecnico=h.estado_tecnico,
            detalles=h.detalles,
        )
        for h in filas
    ]


def _leer_archivo(ruta: Path | None) -> bytes | None:
    try:
        return ruta.read_bytes() if ruta is not None else None
    except OSError:
        return None  # removed meanwhile, or unreadable: the document says the image is missing


async def _imagen(uploads_dir: Path, url: str) -> ImagenNota:
    """A stored upload's bytes. An external URL is printed as text, never fetched (no request from the
    server to wherever a note points)."""
    ruta = almacen.ruta_de_url(uploads_dir, url)
    return ImagenNota(
        referencia=url.rsplit("/", 1)[-1], contenido=await asyncio.to_thread(_leer_archivo, ruta)
    )


async def _notas(session: AsyncSession, pendiente_id: int, uploads_dir: Path) -> list[NotaInforme]:
    filas = (
        await session.execute(
            select(m.PendienteNota, m.Empleado)
            .join(m.Empleado, m.Empleado.id == m.PendienteNota.empleado_id)
            .where(m.PendienteNota.pendiente_id == pendiente_id, m.PendienteNota.vigente.is_(True))
            .order_by(m.PendienteNota.fecha_creacion, m.PendienteNota.id)
        )
    ).all()
    imagenes = await session.execute(
        select(m.PendienteNotaImagen.nota_id, m.PendienteNotaImagen.url)
        .where(
            m.PendienteNotaImagen.nota_id.in_([n.id for n, _ in filas]),
            m.PendienteNotaImagen.vigente.is_(True),
        )
        .order_by(m.PendienteNotaImagen.id)
    )
    por_nota: dict[int, list[str]] = {}
    for nota_id, url in imagenes:
        por_nota.setdefault(nota_id, []).append(url)
    return [
        NotaInforme(
            fecha=nota.fecha_creacion,
            autor=_nombre(autor) or "",
            texto=nota.nota,
            estado=nota.estado_pendiente,
            imagenes=[await _imagen(uploads_dir, url) for url in por_nota.get(nota.id, [])],
        )
        for nota, autor in filas
    ]


async def _pagos(session: AsyncSession, pendiente_id: int) -> list[PagoInforme]:
    filas = await session.execute(
        select(m.Pago, m.Empleado)
        .join(m.Empleado, m.Empleado.id == m.Pago.empleado_id)
        .where(m.Pago.pendiente_id == pendiente_id, m.Pago.vigente.is_(True))
        .order_by(m.Pago.fecha_pago, m.Pago.id)
    )
    return [
        PagoInforme(
            fecha=p.fecha_pago,
            metodo=p.metodo_pago,
            monto=p.monto,
            referencia=p.referencia,
            registrado_por=_nombre(e),
        )
        for p, e in filas
    ]


async def _items(session: AsyncSession, pendiente_id: int) -> list[ItemInforme]:
    filas = await session.execute(
        select(m.PendienteItem, m.Producto)
        .join(m.Producto, m.Producto.id == m.PendienteItem.producto_id)
        .where(m.PendienteItem.pendiente_id == pendiente_id, m.PendienteItem.vigente.is_(True))
        .order_by(m.PendienteItem.id)
    )
    return [
        ItemInforme(
            producto=producto.nombre,
            descripcion=item.descripcion,
            cantidad=item.cantidad,
            costo_unitario=item.costo_unitario,
            costo_total=item.costo_total,
        )
        for item, producto in filas
    ]


async def informe(
    session: AsyncSession, pendiente_id: int, usuario: UsuarioActual, uploads_dir: Path
) -> Informe:
    """The document's data (404 unknown or deleted, 403 not the caller's, as the pendiente's own read)."""
    fila = await pendiente_visible(session, pendiente_id, usuario)
    cliente = await session.get(m.Cliente, fila.cliente_id)
    tecnico = await session.get(m.Empleado, fila.asignado_a) if fila.asignado_a else None
    registrador = await session.get(m.Empleado, fila.registrado_por)
    historial = await _historial(session, fila.id) if usuario.tiene(Permiso.VER_HISTORIAL) else None
    return Informe(
        id=fila.id,
        emitido=datetime.now(UTC),
        cliente=_cliente(cliente),
        tipo=fila.tipo,
        estado=fila.estado,
        estado_tecnico=fila.estado_tecnico,
        prioridad=fila.prioridad,
        lugar=fila.lugar,
        fecha_creacion=fila.fecha_creacion,
        empresa=fila.empresa,
        direccion=fila.direccion or cliente.direccion,
        fecha_pendiente=fila.fecha_pendiente,
        tecnico=_nombre(tecnico),
        registrado_por=_nombre(registrador),
        estado_sla=fila.estado_sla,
        detalle=_detalle(await detalle_de(session, fila)),
        historial=historial,
        notas=await _notas(session, fila.id, uploads_dir),
        pagos=await _pagos(session, fila.id),
        items=await _items(session, fila.id),
    )
