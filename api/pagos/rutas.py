"""`/api/pagos`: payments collected on a pendiente (reference §5.10, defects 30 and 31 fixed).

- Writing needs REGISTRAR_PAGO and seeing the pendiente (VER_TODOS, or VER_DETALLE on one's own).
  The registrant is always the authenticated user's empleado; a body `empleadoId` is ignored.
- `clienteId` must be the pendiente's cliente (422 naming it); when absent it is taken from the pendiente.
- `monto` is positive with at most 2 decimals; `fechaPago` defaults to today in Lima, from 2000-01-01 and
  never in the future.
- Only the registrant, or a holder of ADMINISTRAR, edits or annuls a payment (as with notas).
- Reading needs REGISTRAR_PAGO, VER_TODOS or VER_DETALLE, and shows the payments of the pendientes the
  caller can see plus the ones the caller registered.
- Every create, edit and delete appends a historial row to the pendiente in the same transaction."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from api.comun.deps import SessionDep, UsuarioActual, requiere
from api.comun.paginacion import Pagina, ParametrosPagina, paginar, parametros_pagina
from api.comun.parcial import cambios
from api.comun.respuesta import Respuesta, ok
from api.comun.visibilidad import pendiente_visible, ve_pendiente
from api.pagos.esquemas import PagoCambios, PagoCrear, PagoResponse, nombre_empleado
from db import models as m
from domain.enums import MetodoPago
from domain.errores import DatosInvalidos, NoEncontrado, SinPermiso
from domain.permisos import Permiso
from domain.zona import LIMA

router = APIRouter(prefix="/api/pagos", tags=["pagos"])

ERRORES = {
    401: {"model": Respuesta[dict], "description": "Sin token o token inválido"},
    403: {"model": Respuesta[dict], "description": "Falta un permiso o el pendiente no es suyo"},
    404: {"model": Respuesta[dict], "description": "Pago o pendiente desconocido o eliminado"},
    422: {"model": Respuesta[dict], "description": "Dato inválido (data.campo lo nombra)"},
}

ID_MAX = 2**63 - 1
IdPath = Annotated[int, Path(gt=0, le=ID_MAX)]
Lector = Annotated[UsuarioActual, requiere(Permiso.REGISTRAR_PAGO, Permiso.VER_TODOS, Permiso.VER_DETALLE)]
Cobrador = Annotated[UsuarioActual, requiere(Permiso.REGISTRAR_PAGO)]

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


# --- Reads -----------------------------------------------------------------------------------------


def _consulta() -> Select:
    return (
        select(m.Pago, m.Empleado, m.Cliente, m.Pendiente)
        .join(m.Empleado, m.Empleado.id == m.Pago.empleado_id)
        .join(m.Cliente, m.Cliente.id == m.Pago.cliente_id)
        .join(m.Pendiente, m.Pendiente.id == m.Pago.pendiente_id)
        .where(m.Pago.vigente.is_(True))
    )


def _visibles(usuario: UsuarioActual) -> ColumnElement[bool]:
    """SQL form of `_puede_ver`, so lists and pages are filtered in the database."""
    if usuario.tiene(Permiso.VER_TODOS):
        return true()
    empleado = usuario.empleado_id
    if empleado is None:
        return false()
    condiciones = [m.Pago.empleado_id == empleado]
    if usuario.tiene(Permiso.VER_DETALLE):
        condiciones += [m.Pendiente.registrado_por == empleado, m.Pendiente.asignado_a == empleado]
    return or_(*condiciones)


def _puede_ver(usuario: UsuarioActual, pago: m.Pago, pendiente: m.Pendiente) -> bool:
    propio = usuario.empleado_id is not None and pago.empleado_id == usuario.empleado_id
    return propio or ve_pendiente(usuario, pendiente)


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


async def _leer(session: AsyncSession, pago_id: int, usuario: UsuarioActual) -> PagoResponse:
    fila = (
        await session.execute(
            _consulta().where(m.Pago.id == pago_id).execution_options(populate_existing=True)
        )
    ).first()
    if fila is None:
        raise NoEncontrado(f"pago {pago_id} no encontrado", {"id": pago_id})
    if not _puede_ver(usuario, fila[0], fila[3]):
        raise SinPermiso(
            "solo puede ver los pagos de sus pendientes o los que registró",
            {"permisos": [Permiso.VER_TODOS, Permiso.VER_DETALLE]},
        )
    return _response(fila)


class FiltroPagos:
    def __init__(
        self,
        cliente_id: Annotated[int | None, Query(alias="clienteId", gt=0, le=ID_MAX)] = None,
        pendiente_id: Annotated[int | None, Query(alias="pendienteId", gt=0, le=ID_MAX)] = None,
        metodo_pago: Annotated[MetodoPago | None, Query(alias="metodoPago")] = None,
        desde: Annotated[date | None, Query(description="fechaPago desde (inclusive)")] = None,
        hasta: Annotated[date | None, Query(description="fechaPago hasta (inclusive)")] = None,
    ) -> None:
        if desde and hasta and desde > hasta:
            raise DatosInvalidos("'hasta' es anterior a 'desde'", {"campo": "hasta"})
        posibles = [
            (cliente_id, lambda v: m.Pago.cliente_id == v),
            (pendiente_id, lambda v: m.Pago.pendiente_id == v),
            (metodo_pago, lambda v: m.Pago.metodo_pago == v),
            (desde, lambda v: m.Pago.fecha_pago >= v),
            (hasta, lambda v: m.Pago.fecha_pago <= v),
        ]
        self.condiciones = [condicion(valor) for valor, condicion in posibles if valor is not None]


@router.get("", response_model=Respuesta[Pagina[PagoResponse]], responses=ERRORES)
async def listar_pagos(
    usuario: Lector,
    session: SessionDep,
    filtro: Annotated[FiltroPagos, Depends()],
    pagina: Annotated[ParametrosPagina, Depends(parametros_pagina)],
):
    """Pagos vigentes, paginados (`sort`: id, monto, fechaPago, metodoPago, clienteId, pendienteId)."""
    consulta = _consulta().where(_visibles(usuario), *filtro.condiciones)
    resultado = await paginar(session, consulta, pagina, _response, ORDEN, m.Pago.id.desc(), escalar=False)
    return ok(resultado, "Pagos obtenidos correctamente")


@router.get("/pendiente/{pendienteId}", response_model=Respuesta[list[PagoResponse]], responses=ERRORES)
async def pagos_de_pendiente(
    pendiente_id: Annotated[int, Path(alias="pendienteId", gt=0, le=ID_MAX)],
    usuario: Lector,
    session: SessionDep,
):
    """Los pagos vigentes de un pendiente que el usuario puede ver, por fecha de pago."""
    await pendiente_visible(session, pendiente_id, usuario)
    filas = await session.execute(
        _consulta().where(m.Pago.pendiente_id == pendiente_id).order_by(m.Pago.fecha_pago, m.Pago.id)
    )
    return ok([_response(f) for f in filas], "Pagos obtenidos correctamente")


@router.get("/{id}", response_model=Respuesta[PagoResponse], responses=ERRORES)
async def obtener_pago(id: IdPath, usuario: Lector, session: SessionDep):
    return ok(await _leer(session, id, usuario), "Pago obtenido correctamente")


# --- Writes ----------------------------------------------------------------------------------------


def _empleado_de(usuario: UsuarioActual) -> int:
    if usuario.empleado_id is None:
        raise SinPermiso("su usuario no está vinculado a un empleado activo: no puede registrar pagos")
    return usuario.empleado_id


async def _pendiente(session: AsyncSession, pendiente_id: int, usuario: UsuarioActual) -> m.Pendiente:
    """The pendiente named in the body: 404 naming `pendienteId`, or 403 if it is not the caller's."""
    try:
        return await pendiente_visible(session, pendiente_id, usuario)
    except NoEncontrado as error:
        raise NoEncontrado(error.mensaje, {"campo": "pendienteId", "id": pendiente_id}) from None


def _cliente_de(pendiente: m.Pendiente, cliente_id: int | None) -> int:
    if cliente_id is not None and cliente_id != pendiente.cliente_id:
        raise DatosInvalidos(
            f"el cliente {cliente_id} no es el del pendiente {pendiente.id} ({pendiente.cliente_id})",
            {"campo": "clienteId", "clienteDelPendiente": pendiente.cliente_id},
        )
    return pendiente.cliente_id


def _registrador_o_admin(usuario: UsuarioActual, pago: m.Pago) -> None:
    """Like notas: a payment is changed or annulled only by whoever registered it, or ADMINISTRAR
    (a technician must not rewrite what accounting registered on their pendiente)."""
    if usuario.tiene(Permiso.ADMINISTRAR) or usuario.empleado_id == pago.empleado_id:
        return
    raise SinPermiso(
        "solo quien registró el pago o un administrador pueden cambiarlo o anularlo",
        {"registradorId": pago.empleado_id, "permisos": [Permiso.ADMINISTRAR]},
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


@router.post("", status_code=201, response_model=Respuesta[PagoResponse], responses=ERRORES)
async def registrar_pago(body: PagoCrear, usuario: Cobrador, session: SessionDep):
    """Registra un pago; el registrador es el empleado del usuario autenticado."""
    empleado_id = _empleado_de(usuario)
    pendiente = await _pendiente(session, body.pendiente_id, usuario)
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
    await session.commit()
    return ok(await _leer(session, pago.id, usuario), "Pago registrado correctamente", 201)


def _diferencias(pago: m.Pago, nuevos: dict[str, Any]) -> list[str]:
    return [
        f"{CAMPOS[campo]} {getattr(pago, campo)} → {valor}"
        for campo, valor in nuevos.items()
        if getattr(pago, campo) != valor
    ]


@router.put("/{id}", response_model=Respuesta[PagoResponse], responses=ERRORES)
async def editar_pago(id: IdPath, body: PagoCambios, usuario: Cobrador, session: SessionDep):
    """Cambio parcial (quien lo registró o ADMINISTRAR); las reglas del alta valen para los valores
    resultantes. Si cambia de pendiente, ambos pendientes reciben su entrada de historial."""
    _empleado_de(usuario)
    pago = await _pago_vigente(session, id)
    origen = await _pendiente(session, pago.pendiente_id, usuario)
    _registrador_o_admin(usuario, pago)
    enviados = cambios(body, OBLIGATORIOS)
    enviados.pop("empleado_id", None)
    destino = origen
    if enviados.get("pendiente_id", origen.id) != origen.id:
        destino = await _pendiente(session, enviados["pendiente_id"], usuario)
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
        await session.commit()
    return ok(await _leer(session, id, usuario), "Pago actualizado correctamente")


@router.delete("/{id}", response_model=Respuesta[None], responses=ERRORES)
async def anular_pago(id: IdPath, usuario: Cobrador, session: SessionDep):
    """Baja lógica (quien lo registró o ADMINISTRAR): el pago deja de listarse y de leerse por id; queda
    su rastro en el historial."""
    _empleado_de(usuario)
    pago = await _pago_vigente(session, id)
    pendiente = await _pendiente(session, pago.pendiente_id, usuario)
    _registrador_o_admin(usuario, pago)
    pago.vigente = False
    _anotar(session, pendiente, usuario, "pago_anulado", f"pago {pago.id} anulado: {_resumen(pago)}")
    await session.commit()
    return ok(None, "Pago eliminado correctamente")
