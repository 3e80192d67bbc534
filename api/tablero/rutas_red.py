"""`/tablero/red`: the network queue. The open pendientes the user may see whose estadoTecnico is not OK,
oldest first, each with the PPPoE and VLAN forms the action rule allows them now (the password field is
write-only: no page ever shows a configured password)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.comun.deps import SessionDep
from api.tablero import listas
from api.tablero.sesion import UsuarioTablero, exigir
from api.tablero.vistas import pagina
from domain import pantallas
from domain.acciones import ESTADOS_CERRADOS, Accion
from domain.enums import EstadoPendiente, EstadoTecnico

router = APIRouter(prefix="/tablero", include_in_schema=False)

RUTA = "/tablero/red"
ESPERANDO_RED = [e for e in EstadoTecnico if e is not EstadoTecnico.OK]
ABIERTOS = [e for e in EstadoPendiente if e not in ESTADOS_CERRADOS]
# The screen is about the network's work: of the allowed actions it offers these.
ACCIONES_RED = frozenset({Accion.CONFIGURAR_PPPOE.value, Accion.CONFIGURAR_VLAN.value})


@router.get("/red")
async def red(request: Request, usuario: UsuarioTablero, session: SessionDep):
    exigir(usuario, *pantallas.POR_RUTA[RUTA].permisos)
    filtro, valores, aviso = listas.busqueda(request, estadosTecnico=ESPERANDO_RED, estados=ABIERTOS)
    lista, total = await listas.listar(session, usuario, filtro, "fechaCreacion,asc")
    tarjetas = await listas.tarjetas(session, usuario, lista, solo=ACCIONES_RED)
    contexto = await listas.cola(request, session, RUTA, tarjetas, total, valores, aviso)
    return pagina(request, "red.html", usuario, **contexto)
