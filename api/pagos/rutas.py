"""`/api/pagos`: payments collected on a pendiente (reference §5.10, defects 30 and 31 fixed).

- Writing needs REGISTRAR_PAGO and seeing the pendiente (VER_TODOS, or VER_DETALLE on one's own).
  The registrant is always the authenticated user's empleado; a body `empleadoId` is ignored.
- `clienteId` must be the pendiente's cliente (422 naming it); when absent it is taken from the pendiente.
- `monto` is positive with at most 2 decimals; `fechaPago` defaults to today in Lima, from 2000-01-01 and
  never in the future.
- Only the registrant, or a holder of ADMINISTRAR, edits or annuls a payment (as with notas).
- A payment is accepted on a FINALIZADO pendiente (the customer pays after the work) but not on a
  CANCELADO one (409): domain/cierre.py. One already taken stays editable and annullable.
- Reading needs REGISTRAR_PAGO, VER_TODOS or VER_DETALLE, and shows the payments of the pendientes the
  caller can see plus the ones the caller registered (domain/visibilidad.py Recurso.PAGO).
- Every create, edit and delete appends a historial row to the pendiente in the same transaction."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from api.comun.deps import SessionDep, UsuarioActual, requiere
from api.comun.paginacion import Pagina, ParametrosPagina, parametros_pagina
from api.comun.respuesta import Respuesta, ok
from api.comun.tipos import IdRuta
from api.pagos import servicio
from api.pagos.esquemas import PagoCambios, PagoCrear, PagoResponse
from domain.enums import MetodoPago
from domain.errores import DatosInvalidos
from domain.permisos import Permiso

router = APIRouter(prefix="/api/pagos", tags=["pagos"])

ERRORES = {
    401: {"model": Respuesta[dict], "description": "Sin token o token inválido"},
    403: {"model": Respuesta[dict], "description": "Falta un permiso o el pendiente no es suyo"},
    404: {"model": Respuesta[dict], "description": "Pago o pendiente desconocido o eliminado"},
    409: {"model": Respuesta[dict], "description": "El pendiente ya no admite pagos (CANCELADO)"},
    422: {"model": Respuesta[dict], "description": "Dato inválido (data.campo lo nombra)"},
}

Lector = Annotated[UsuarioActual, requiere(Permiso.REGISTRAR_PAGO, Permiso.VER_TODOS, Permiso.VER_DETALLE)]
Cobrador = Annotated[UsuarioActual, requiere(Permiso.REGISTRAR_PAGO)]
ID_MAX = 2**63 - 1


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
        self.condiciones = servicio.condiciones(cliente_id, pendiente_id, metodo_pago, desde, hasta)


@router.get("", response_model=Respuesta[Pagina[PagoResponse]], responses=ERRORES)
async def listar_pagos(
    usuario: Lector,
    session: SessionDep,
    filtro: Annotated[FiltroPagos, Depends()],
    pagina: Annotated[ParametrosPagina, Depends(parametros_pagina)],
):
    """Pagos vigentes, paginados (`sort`: id, monto, fechaPago, metodoPago, clienteId, pendienteId)."""
    resultado = await servicio.listar(session, usuario, filtro.condiciones, pagina)
    return ok(resultado, "Pagos obtenidos correctamente")


@router.get("/pendiente/{pendienteId}", response_model=Respuesta[list[PagoResponse]], responses=ERRORES)
async def pagos_de_pendiente(
    pendiente_id: Annotated[int, Path(alias="pendienteId", gt=0, le=ID_MAX)],
    usuario: Lector,
    session: SessionDep,
):
    """Los pagos vigentes de un pendiente que el usuario puede ver, por fecha de pago."""
    return ok(await servicio.de_pendiente(session, pendiente_id, usuario), "Pagos obtenidos correctamente")


@router.get("/{id}", response_model=Respuesta[PagoResponse], responses=ERRORES)
async def obtener_pago(id: IdRuta, usuario: Lector, session: SessionDep):
    return ok(await servicio.leer(session, id, usuario), "Pago obtenido correctamente")


@router.post("", status_code=201, response_model=Respuesta[PagoResponse], responses=ERRORES)
async def registrar_pago(body: PagoCrear, usuario: Cobrador, session: SessionDep):
    """Registra un pago; el registrador es el empleado del usuario autenticado. 409 si el pendiente está
    CANCELADO (uno FINALIZADO sí admite pagos: se cobra después del trabajo)."""
    return ok(await servicio.registrar(session, body, usuario), "Pago registrado correctamente", 201)


@router.put("/{id}", response_model=Respuesta[PagoResponse], responses=ERRORES)
async def editar_pago(id: IdRuta, body: PagoCambios, usuario: Cobrador, session: SessionDep):
    """Cambio parcial (quien lo registró o ADMINISTRAR); las reglas del alta valen para los valores
    resultantes. Si cambia de pendiente, ambos pendientes reciben su entrada de historial."""
    return ok(await servicio.editar(session, id, body, usuario), "Pago actualizado correctamente")


@router.delete("/{id}", response_model=Respuesta[None], responses=ERRORES)
async def anular_pago(id: IdRuta, usuario: Cobrador, session: SessionDep):
    """Baja lógica (quien lo registró o ADMINISTRAR): el pago deja de listarse y de leerse por id; queda
    su rastro en el historial."""
    await servicio.anular(session, id, usuario)
    return ok(None, "Pago eliminado correctamente")
