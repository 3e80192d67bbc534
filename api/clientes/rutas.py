"""`/api/clientes`: the customers work orders are for (reference §5.4, product decisions "Data rules").

Reading follows `Recurso.CLIENTE` of domain/visibilidad.py: VER_TODOS, GESTIONAR_CLIENTES or
REGISTRAR_PENDIENTE see every client (registering a pendiente means picking any client); VER_DETALLE or
REGISTRAR_PAGO alone (a technician) see only the clients of pendientes they registered or are assigned
to, as VER_DETALLE does for pendientes: others are 403. Writes need GESTIONAR_CLIENTES. PUT and PATCH
are partial. DELETE is soft and refused (409) while the client has open pendientes, so no technician is
sent to a client that no longer exists. The reads and writes are in servicio.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from api.clientes import servicio
from api.clientes.esquemas import OBLIGATORIOS, ClienteCambios, ClienteCrear, ClienteResponse, respuesta
from api.comun.deps import SessionDep, UsuarioActual, requiere
from api.comun.paginacion import Pagina, ParametrosPagina, parametros_pagina
from api.comun.parcial import cambios
from api.comun.respuesta import Respuesta, ok
from domain.enums import TipoCliente, TipoDocumento
from domain.permisos import Permiso
from domain.visibilidad import ALCANCES, Recurso

router = APIRouter(prefix="/api/clientes", tags=["clientes"])

ERRORES = {
    401: {"model": Respuesta[dict], "description": "Sin token o token inválido"},
    403: {"model": Respuesta[dict], "description": "Falta un permiso, o no es cliente de sus pendientes"},
    404: {"model": Respuesta[dict], "description": "Id desconocido o eliminado"},
    409: {"model": Respuesta[dict], "description": "codigoCliente o documento duplicado; cliente en uso"},
    422: {"model": Respuesta[dict], "description": "Dato inválido (data.campo lo nombra)"},
}

IdCliente = Annotated[int, Path(gt=0, le=2**63 - 1, description="Id del cliente")]

# Any permission that reaches some client lets the caller in; which clients it sees is the rule's.
LectorDep = Annotated[UsuarioActual, requiere(*ALCANCES[Recurso.CLIENTE].permisos_que_alcanzan())]
GestorDep = Annotated[UsuarioActual, requiere(Permiso.GESTIONAR_CLIENTES)]


def _filtros(
    q: Annotated[
        str | None,
        Query(
            max_length=100, description="Contiene (sin distinguir mayúsculas) en nombre, código o documento"
        ),
    ] = None,
    tipo_cliente: Annotated[TipoCliente | None, Query(alias="tipoCliente")] = None,
    tipo_documento: Annotated[TipoDocumento | None, Query(alias="tipoDocumento")] = None,
) -> servicio.Filtros:
    return servicio.Filtros(q, tipo_cliente, tipo_documento)


@router.get("", response_model=Respuesta[Pagina[ClienteResponse]], responses=ERRORES)
async def listar_clientes(
    usuario: LectorDep,
    session: SessionDep,
    pagina: Annotated[ParametrosPagina, Depends(parametros_pagina)],
    filtros: Annotated[servicio.Filtros, Depends(_filtros)],
):
    """Clientes vigentes, paginados (size ≤ 100; sort=id|nombre|codigoCliente|...,asc|desc)."""
    datos = await servicio.listar(session, usuario, filtros, pagina)
    return ok(datos, "Clientes obtenidos correctamente")


@router.get("/{id}", response_model=Respuesta[ClienteResponse], responses=ERRORES)
async def obtener_cliente(id: IdCliente, usuario: LectorDep, session: SessionDep):
    cliente = await servicio.cliente_visible(session, id, usuario)
    return ok(respuesta(cliente), "Cliente obtenido correctamente")


@router.post("", status_code=201, response_model=Respuesta[ClienteResponse], responses=ERRORES)
async def crear_cliente(body: ClienteCrear, usuario: GestorDep, session: SessionDep):
    """Alta de un cliente vigente; sin codigoCliente se genera CLI000123."""
    cliente = await servicio.crear(session, body.model_dump(), usuario)
    return ok(respuesta(cliente), "Cliente creado correctamente", 201)


@router.put("/{id}", response_model=Respuesta[ClienteResponse], responses=ERRORES)
@router.patch("/{id}", response_model=Respuesta[ClienteResponse], responses=ERRORES)
async def editar_cliente(id: IdCliente, body: ClienteCambios, usuario: GestorDep, session: SessionDep):
    """Cambio parcial: solo cambian los campos enviados; null borra un campo opcional. El documento se
    valida con los valores resultantes (p. ej. cambiar tipoDocumento a RUC exige un número de RUC)."""
    cliente = await servicio.editar(session, id, cambios(body, OBLIGATORIOS), usuario)
    return ok(respuesta(cliente), "Cliente actualizado correctamente")


@router.delete("/{id}", response_model=Respuesta[None], responses=ERRORES)
async def eliminar_cliente(id: IdCliente, usuario: GestorDep, session: SessionDep):
    """Baja lógica; 409 mientras tenga pendientes abiertos (ni FINALIZADO ni CANCELADO)."""
    await servicio.eliminar(session, id, usuario)
    return ok(None, "Cliente eliminado correctamente")
