"""`/api/historiales`: the audit trail. Written automatically by the workflow; the manual POST adds a
free-text entry (a call with the customer...) that can never fake another actor or a state change."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.comun.deps import SessionDep, UsuarioActual, UsuarioDep, requiere
from api.comun.http import ERRORES
from api.comun.respuesta import Respuesta, ok
from api.comun.visibilidad import pendiente_visible
from api.seguimiento import servicio
from api.seguimiento.esquemas import HistorialRequest, HistorialResponse
from domain.errores import DatosInvalidos, SinPermiso
from domain.permisos import Permiso

router = APIRouter(prefix="/api/historiales", tags=["historial"])
IdPendiente = Annotated[int, Path(gt=0, le=2**63 - 1)]


@router.get("/pendiente/{pendienteId}", response_model=Respuesta[list[HistorialResponse]], responses=ERRORES)
async def historial_de(
    pendienteId: IdPendiente,
    session: SessionDep,
    usuario: Annotated[UsuarioActual, requiere(Permiso.VER_HISTORIAL)],
):
    """El historial del pendiente, del más antiguo al más reciente, con el nombre de quien actuó."""
    await pendiente_visible(session, pendienteId, usuario)
    return ok(await servicio.historial_de(session, pendienteId), "Historial obtenido correctamente")


@router.post("", status_code=201, response_model=Respuesta[HistorialResponse], responses=ERRORES)
async def anotar(cuerpo: HistorialRequest, session: SessionDep, usuario: UsuarioDep):
    """Entrada libre con el usuario autenticado como actor y el estado actual del pendiente."""
    pendiente = await pendiente_visible(session, cuerpo.pendiente_id, usuario)
    if usuario.empleado_id is None:
        raise SinPermiso("su usuario no está vinculado a un empleado")
    if cuerpo.empleado_id not in (None, usuario.empleado_id):
        raise DatosInvalidos("el historial registra siempre al usuario autenticado", {"campo": "empleadoId"})
    if cuerpo.estado not in (None, pendiente.estado):
        mensaje = f"el estado solo cambia con una acción; el pendiente está {pendiente.estado}"
        raise DatosInvalidos(mensaje, {"campo": "estado"})
    entrada = await servicio.anotar(session, pendiente, usuario, cuerpo.detalles)
    return ok(entrada, "Entrada registrada en el historial", 201)
