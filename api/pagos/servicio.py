"""Every read and write of /api/pagos. The rules are stated in api/pagos/rutas.py; who sees and who
changes a payment comes from domain/visibilidad.py (Recurso.PAGO, Recurso.CAMBIAR_PAGO), and what a
closed pendiente still accepts from domain/cierre.py."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.comun.cierre import exigir_admite
from api.comun.deps import UsuarioActual
from api.comun.paginacion import Pagina, ParametrosPagina, paginar
from api.comun.parcial import cambios
from api.comun.visibilidad import exigir, filtro, pendiente_visible, vinculos
from api.pagos.esquemas import PagoCambios, PagoCrear, PagoResponse, nombre_empleado
from db import models as m
from db.eventos import actor, registrar_de_anexo, vista_pago, vista_pendiente
from domain.cierre import Anexo
from domain.enums import MetodoPago
from domain.errores import DatosInvalidos, NoEncontrado, SinPermiso
from domain.eventos import TipoEvento
from domain.visibilidad import Recurso, Vinculo
from domain.zona import LIMA

CENTIMO = Decimal("0.01")
ORDEN = {
    "id": m.Pago.id,
    "monto": m.Pago.monto,
    "fechaPago": m.Pago.fecha_pago,
    "metodoPago": m.Pago.metodo_pago,
    "clienteId": m.Pago.cliente_id,
    "pendienteId": m.Pago.pendiente_id,
}
# Model attribute -> its API name, as the historial shows a change.
CAMPOS = {
    "monto": "monto",
    "fecha_pago": "fechaPago",
    "metodo_pago": "metodoPago",
    "referencia": "referencia",
    "cliente_id": "clienteId",
    "pendiente_id": "pendienteId",
}
OBLIGATORIOS = frozenset({"cliente_id", "pendiente_id", "monto", "fecha_pago", "metodo_pago"})
# The columns that link a payment's row to the caller (domain/visibilidad.py Vinculo).
VINCULOS = {
    Vinculo.AUTORIA: m.Pago.empleado_id,
    Vinculo.REGISTRO: m.Pendiente.registrado_por,
    Vinculo.ASIGNACION: m.Pendiente.asignado_a,
}


# --- Reads -----------------------------------------------------------------------------------------


def _consulta() -> Select:
    return (
        select(m.Pago, m.Empleado, m.Cliente, m.Pendiente)
        .join(m.Empleado, m.Empleado.id == m.Pago.empleado_id)
        .join(m.Cliente, m.Cliente.id == m.Pago.cliente_id)
        .join(m.Pendiente, m.Pendiente.id == m.Pago.pendiente_id)
        .where(m.Pago.vigente.is_(True))
    )


def _vinculos(usuario: UsuarioActual, pago: m.Pago, pendiente: m.Pendiente) -> set[Vinculo]:
    return vinculos(
        usuario,
        autor=pago.empleado_id,
        registrado_por=pendiente.registrado_por,
        asignado_a=pendiente.asignado_a,
    )


def _response(fila: Any) -> PagoResponse:
    pago, empleado, cliente, _ = fila
    return PagoResponse(
        id=pago.id,
        empleado_id=pago.empleado_id,
        empleado_nombre=nombre_empleado(empleado),
        cliente_id=pago.cliente_id,
        cliente_nombre=cliente.nombre,
        pendiente_id=pago.pendiente_id,
        monto=pago.monto,
        fecha_pago=pago.fecha_pago,
        metodo_pago=pago.metodo_pago,
        referencia=pago.referencia,
    )


async def leer(session: AsyncSession, pago_id: int, usuario: UsuarioActual) -> PagoResponse:
    fila = (
        await session.execute(
            _consulta().where(m.Pago.id == pago_id).execution_options(populate_existing=True)
        )
    ).first()
    if fila is None:
        raise NoEncontrado(f"pago {pago_id} no encontrado", {"id": pago_id})
    exigir(usuario, Recurso.PAGO, _vinculos(usuario, fila[0], fila[3]))
    return _response(fila)


def condiciones(
    cliente_id: int | None,
    pendiente_id: int | None,
    metodo_pago: MetodoPago | None,
    desde: date | None,
    hasta: date | None,
) -> list[ColumnElement[bool]]:
    """The SQL conditions of a list's filters (only those given)."""
    posibles = [
        (cliente_id, lambda v: m.Pago.cliente_id == v),
        (pendiente_id, lambda v: m.Pago.pendiente_id == v),
        (metodo_pago, lambda v: m.Pago.metodo_pago == v),
        (desde, lambda v: m.Pago.fecha_pago >= v),
        (hasta, lambda v: m.Pago.fecha_pago <= v),
    ]
    return [condicion(valor) for valor, condicion in posibles if valor is not None]


async def listar(
    session: AsyncSession,
    usuario: UsuarioActual,
    filtros: list[ColumnElement[bool]],
    pagina: ParametrosPagina,
) -> Pagina[PagoResponse]:
    """The payments the caller may see (the SQL form of Recurso.PAGO), filtered and paginated."""
    consulta = _consulta().where(filtro(usuario, Recurso.PAGO, VINCULOS), *filtros)
    return await paginar(session, consulta, pagina, _response, ORDEN, m.Pago.id.desc(), escalar=False)


async def de_pendiente(
    session: AsyncSession, pendiente_id: int, usuario: UsuarioActual
) -> list[PagoResponse]:
    await pendiente_visible(session, pendiente_id, usuario)
    filas = await session.execute(
        _consulta().where(m.Pago.pendiente_id == pendiente_id).order_by(m.Pago.fecha_pago, m.Pago.id)
    )
    return [_response(f) for f in filas]


# --- Writes ----------------------------------------------------------------------------------------


def _empleado_de(usuario: UsuarioActual) -> int:
    if usuario.empleado_id is None:
        raise SinPermiso("su usuario no está vinculado a un empleado activo: no puede registrar pagos")
    return usuario.empleado_id


def _cliente_de(pendiente: m.Pendiente, cliente_id: int | None) -> int:
    if cliente_id is not None and cliente_id != pendiente.cliente_id:
        raise DatosInvalidos(
            f"el cliente {cliente_id} no es el del pendiente {pendiente.id} ({pendiente.cliente_id})",
            {"campo": "clienteId", "clienteDelPendiente": pendiente.cliente_id},
        )
    return pendiente.cliente_id


def _registrador_o_admin(usuario: UsuarioActual, pago: m.Pago) -> None:
    """Like notas: a payment is changed or annulled only by whoever registered it, or ADMINISTRAR."""
    exigir(
        usuario,
        Recurso.CAMBIAR_PAGO,
        vinculos(usuario, autor=pago.empleado_id),
        {"registradorId": pago.empleado_id},
    )


def _fecha(fecha: date | None) -> date:
    hoy = datetime.now(LIMA).date()
    if fecha is not None and fecha > hoy:
        raise DatosInvalidos(f"la fecha de pago no puede ser futura (hoy es {hoy})", {"campo": "fechaPago"})
    return fecha or hoy


def _resumen(pago: m.Pago) -> str:
    texto = f"S/ {pago.monto:.2f} {pago.metodo_pago}"
    return f"{texto} ref {pago.referencia}" if pago.referencia else texto


def _anotar(session: AsyncSession, pendiente: m.Pendiente, usuario: UsuarioActual, accion: str, texto: str):
    """A free historial entry (seq NULL: only the workflow numbers lifecycle rows)."""
    session.add(
        m.Historial(
            pendiente_id=pendiente.id,
            empleado_id=usuario.empleado_id,
            actor_nombre=usuario.nombre,
            accion=accion,
            estado=pendiente.estado,
            detalles=texto[:500],
        )
    )


async def _pago_vigente(session: AsyncSession, pago_id: int) -> m.Pago:
    # Locked, so two edits of one payment are serialised and each historial row tells the truth.
    pago = await session.scalar(
        select(m.Pago)
        .where(m.Pago.id == pago_id, m.Pago.vigente.is_(True))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if pago is None:
        raise NoEncontrado(f"pago {pago_id} no encontrado", {"id": pago_id})
    return pago


async def registrar(session: AsyncSession, body: PagoCrear, usuario: UsuarioActual) -> PagoResponse:
    empleado_id = _empleado_de(usuario)
    pendiente = await pendiente_visible(session, body.pendiente_id, usuario, campo="pendienteId")
    await exigir_admite(session, pendiente, Anexo.PAGO, usuario)
    pago = m.Pago(
        empleado_id=empleado_id,
        cliente_id=_cliente_de(pendiente, body.cliente_id),
        pendiente_id=pendiente.id,
        monto=body.monto.quantize(CENTIMO),
        fecha_pago=_fecha(body.fecha_pago),
        metodo_pago=body.metodo_pago,
        referencia=body.referencia or None,
    )
    session.add(pago)
    await session.flush()
    _anotar(session, pendiente, usuario, "pago", f"pago {pago.id}: {_resumen(pago)}")
    await _evento(session, TipoEvento.PAGO_REGISTRADO, pago.id, usuario)
    await session.commit()
    return await leer(session, pago.id, usuario)


def _diferencias(pago: m.Pago, nuevos: dict[str, Any]) -> list[str]:
    return [
        f"{CAMPOS[campo]} {getattr(pago, campo)} → {valor}"
        for campo, valor in nuevos.items()
        if getattr(pago, campo) != valor
    ]


async def editar(
    session: AsyncSession, pago_id: int, body: PagoCambios, usuario: UsuarioActual
) -> PagoResponse:
    """Apply the fields sent, after the 404/403 checks. Moving the payment to another pendiente is adding one
    there, so that pendiente must accept payments; both get their historial entry."""
    _empleado_de(usuario)
    pago = await _pago_vigente(session, pago_id)
    origen = await pendiente_visible(session, pago.pendiente_id, usuario, campo="pendienteId")
    _registrador_o_admin(usuario, pago)
    enviados = cambios(body, OBLIGATORIOS)
    enviados.pop("empleado_id", None)
    destino = origen
    if enviados.get("pendiente_id", origen.id) != origen.id:
        destino = await pendiente_visible(session, enviados["pendiente_id"], usuario, campo="pendienteId")
        await exigir_admite(session, destino, Anexo.PAGO, usuario)
    nuevos = {
        **enviados,
        "cliente_id": _cliente_de(destino, enviados.get("cliente_id", pago.cliente_id)),
        "fecha_pago": _fecha(enviados.get("fecha_pago", pago.fecha_pago)),
    }
    if "monto" in nuevos:
        nuevos["monto"] = nuevos["monto"].quantize(CENTIMO)
    if "referencia" in nuevos:
        nuevos["referencia"] = nuevos["referencia"] or None
    diferencias = _diferencias(pago, nuevos)
    if diferencias:
        for campo, valor in nuevos.items():
            setattr(pago, campo, valor)
        texto = f"pago {pago.id}: " + "; ".join(diferencias)
        for pendiente in {origen.id: origen, destino.id: destino}.values():
            _anotar(session, pendiente, usuario, "pago_editado", texto)
        # Moved to another pendiente: the one it left is named too.
        anterior = await vista_pendiente(session, origen.id) if destino.id != origen.id else None
        await _evento(session, TipoEvento.PAGO_MODIFICADO, pago.id, usuario, pendienteAnterior=anterior)
        await session.commit()
    return await leer(session, pago_id, usuario)


async def anular(session: AsyncSession, pago_id: int, usuario: UsuarioActual) -> None:
    _empleado_de(usuario)
    pago = await _pago_vigente(session, pago_id)
    pendiente = await pendiente_visible(session, pago.pendiente_id, usuario, campo="pendienteId")
    _registrador_o_admin(usuario, pago)
    pago.vigente = False
    _anotar(session, pendiente, usuario, "pago_anulado", f"pago {pago.id} anulado: {_resumen(pago)}")
    await _evento(session, TipoEvento.PAGO_ANULADO, pago.id, usuario)
    await session.commit()


async def _evento(
    session: AsyncSession, tipo: TipoEvento, pago_id: int, usuario: UsuarioActual, **extra: Any
) -> None:
    """The outbox row of a payment's change, in the same transaction as the change and its historial."""
    quien = actor(usuario.id, usuario.empleado_id, usuario.nombre)
    await registrar_de_anexo(session, tipo, "pago", await vista_pago(session, pago_id), quien, **extra)
