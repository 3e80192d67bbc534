"""`POST /tablero/pendientes/{id}/acciones/{accion}`: every action button of the board. The form's
fields are the API's (`tecnicoId`, `motivo`, `nuevaFecha`, `vlan`, `pppoeUsuario`, `pppoePassword`,
`version`), validated by the same AccionRequest and sent by the same api/pendientes/acciones.accionar:
the rules, keys and refusals are the API's. A refusal is a page that says why and what is possible now."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from api.comun.deps import CifradorDep, ComandosDep, SessionDep
from api.comun.http import IdPendiente
from api.pendientes import acciones
from api.pendientes.esquemas import AccionRequest
from api.tablero.sesion import UsuarioTablero, destino_seguro, verificar_csrf
from api.tablero.vistas import pagina
from domain.acciones import Accion
from domain.errores import Conflicto, ErrorPendientes

router = APIRouter(prefix="/tablero", include_in_schema=False)

CAMPOS = ("tecnicoId", "motivo", "nuevaFecha", "vlan", "pppoeUsuario", "pppoePassword", "version")


def volver_a(destino: object, pendiente_id: int) -> str:
    """Back to the board page the form was on (never anywhere else)."""
    return destino_seguro(destino) or f"/tablero/pendientes/{pendiente_id}"


def _con_aviso(url: str, **aviso: str) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(aviso)


def _rechazo(error: ErrorPendientes, accion: Accion) -> str:
    """A refusal in a person's words: what was refused, why, and what can be done now."""
    texto = f"No se pudo «{accion.value.replace('_', ' ')}»: {error.mensaje}."
    if isinstance(error, Conflicto) and isinstance(error.data, dict) and error.data.get("estado"):
        ahora = ", ".join(a.replace("_", " ") for a in error.data.get("accionesPermitidas") or []) or "nada"
        texto += (
            f" El pendiente está {error.data['estado'].replace('_', ' ').lower()}; ahora puedes: {ahora}."
        )
    return texto


@router.post("/pendientes/{id}/acciones/{accion}", dependencies=[Depends(verificar_csrf)])
async def accionar(
    id: IdPendiente,
    accion: Annotated[Accion, Path()],
    request: Request,
    usuario: UsuarioTablero,
    session: SessionDep,
    comandos: ComandosDep,
    cifrador: CifradorDep,
):
    formulario = await request.form()
    volver = volver_a(str(formulario.get("volver") or ""), id)
    datos = {c: v for c in CAMPOS if isinstance(v := formulario.get(c), str) and v.strip()}
    try:
        cuerpo = AccionRequest.model_validate(datos)
        await acciones.accionar(id, accion, cuerpo, usuario, session, comandos, cifrador)
    except ValidationError as error:
        campo = ".".join(str(p) for p in error.errors()[0]["loc"])
        mensaje = f"No se pudo «{accion.value.replace('_', ' ')}»: revisa el campo «{campo}»."
        return pagina(
            request, "error.html", usuario, 422, titulo="Dato inválido", mensaje=mensaje, volver=volver
        )
    except ErrorPendientes as error:
        mensaje = _rechazo(error, accion)
        return pagina(
            request,
            "error.html",
            usuario,
            error.status,
            titulo="Acción rechazada",
            mensaje=mensaje,
            volver=volver,
        )
    return RedirectResponse(_con_aviso(volver, hecho=accion.value), status_code=303)
