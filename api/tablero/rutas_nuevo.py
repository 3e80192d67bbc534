"""`/tablero/nuevo`: register a pendiente with its type detail in one form, and `/tablero/clientes`: the
client search it picks from. The body is the API's CrearPendienteRequest and it is created by the same
api/pendientes/creacion.crear as `POST /api/pendientes`: same checks, same workflow start, same errors,
each shown next to the field it names. Needs REGISTRAR_PENDIENTE (domain/pantallas.py)."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from pydantic.alias_generators import to_camel

from api.clientes import servicio as clientes
from api.comun.deps import ComandosDep, SessionDep, UsuarioActual
from api.comun.paginacion import ParametrosPagina
from api.pendientes import creacion
from api.pendientes.esquemas import DETALLE_POR_TIPO, CrearPendienteRequest
from api.tablero.sesion import UsuarioTablero, exigir, verificar_csrf
from api.tablero.vistas import pagina
from domain import pantallas
from domain.enums import (
    EmpresaPendiente,
    LugarPendiente,
    PrioridadPendiente,
    TipoDispositivoRecojo,
    TipoInstalacion,
    TipoPendiente,
    TipoServicio,
)
from domain.errores import ErrorPendientes

router = APIRouter(prefix="/tablero", include_in_schema=False)

PANTALLA = pantallas.POR_RUTA["/tablero/nuevo"]
CABECERA = ("clienteId", "tipo", "lugar", "prioridad", "empresa", "direccion", "fechaPendiente")
CLIENTES_POR_BUSQUEDA = 10
# How a detail field is shown: its label, and the values of a list (others are text).
ETIQUETAS = {
    "descripcionFalla": "Descripción de la falla",
    "velocidadSolicitada": "Velocidad solicitada",
    "costoFijo": "Costo fijo (S/)",
    "tipoInstalacion": "Tipo de instalación",
    "dispositivo": "Dispositivo",
    "motivo": "Motivo",
    "lugarDestino": "Lugar de destino",
    "direccionDestino": "Dirección de destino",
    "tipoServicio": "Tipo de servicio",
}
OPCIONES = {
    "tipoInstalacion": list(TipoInstalacion),
    "dispositivo": list(TipoDispositivoRecojo),
    "lugarDestino": list(LugarPendiente),
    "tipoServicio": list(TipoServicio),
}
LARGOS = {"descripcionFalla"}


def _campos_detalle() -> dict[TipoPendiente, list[dict[str, Any]]]:
    """Each type's detail fields, from the API's own detail schemas (a field added there shows here)."""
    return {
        tipo: [
            {
                "nombre": to_camel(nombre),
                "etiqueta": ETIQUETAS.get(to_camel(nombre), to_camel(nombre)),
                "opciones": OPCIONES.get(to_camel(nombre)),
                "largo": to_camel(nombre) in LARGOS,
                "obligatorio": campo.is_required(),
            }
            for nombre, campo in esquema.model_fields.items()
        ]
        for tipo, esquema in DETALLE_POR_TIPO.items()
    }


CAMPOS_DETALLE = _campos_detalle()
NOMBRES_DETALLE = frozenset(esquema.__name__ for esquema in DETALLE_POR_TIPO.values())


def nombre_en_formulario(tipo: str, campo: str) -> str:
    """A detail input's name: grouped by type, so only the chosen type's values are read."""
    return f"detalle.{tipo}.{campo}"


def _cuerpo(formulario) -> dict[str, Any]:
    """The create body as the API spells it, from the form: blanks are absent, the detail is the chosen
    type's fields only (always sent, so a type's required detail field is asked for)."""
    valor = {k: v.strip() for k, v in formulario.items() if isinstance(v, str) and v.strip()}
    cuerpo: dict[str, Any] = {k: valor[k] for k in CABECERA if k in valor}
    tipo = valor.get("tipo")
    if tipo in TipoPendiente.__members__:
        campos = [c["nombre"] for c in CAMPOS_DETALLE[TipoPendiente(tipo)]]
        cuerpo["detalle"] = {
            c: valor[nombre_en_formulario(tipo, c)] for c in campos if nombre_en_formulario(tipo, c) in valor
        }
    return cuerpo


def _mensaje(error: dict[str, Any]) -> str:
    if error["type"] == "missing":
        return "Falta este dato."
    if error["type"] == "value_error" and "error" in error.get("ctx", {}):
        return f"{str(error['ctx']['error']).capitalize()}."
    if error["type"] == "enum":
        return "Elige una opción de la lista."
    return "Dato inválido."


def _errores(error: ValidationError, prefijo: str = "") -> dict[str, str]:
    """Field (as the API spells it, `detalle.lugarDestino` for a detail field) -> what is wrong."""
    errores: dict[str, str] = {}
    for e in error.errors():
        campo = prefijo + (".".join(str(p) for p in e["loc"]) or "formulario")
        errores.setdefault(campo, _mensaje(e))
    return errores


async def _clientes(session, usuario: UsuarioActual, q: str | None) -> list:
    """The clients this user may see whose name, code or document contains `q` (the API's search)."""
    if not q or not q.strip():
        return []
    pagina_ = ParametrosPagina(0, CLIENTES_POR_BUSQUEDA, "nombre,asc")
    return (await clientes.listar(session, usuario, clientes.Filtros(q=q.strip()[:100]), pagina_)).content


async def _seleccionado(session, usuario: UsuarioActual, cliente_id: str | None):
    """The client already picked (kept when the form comes back with errors), if this user may see it."""
    if not cliente_id or not cliente_id.isdigit() or not 0 < int(cliente_id) < 2**63:
        return None
    try:
        return await clientes.cliente_visible(session, int(cliente_id), usuario)
    except ErrorPendientes:
        return None


async def _formulario(
    request: Request,
    usuario: UsuarioActual,
    session,
    valores: dict[str, str],
    status_code: int = 200,
    errores: dict[str, str] | None = None,
    aviso: str | None = None,
):
    q = valores.get("q")
    contexto = {
        "valores": valores,
        "errores": errores or {},
        "aviso": aviso,
        "q": q or "",
        "clientes": await _clientes(session, usuario, q),
        "seleccionado": await _seleccionado(session, usuario, valores.get("clienteId")),
        # A new key per form shown: a double click registers one pendiente, a corrected form a new one.
        "clave": secrets.token_urlsafe(24),
        "campos_detalle": CAMPOS_DETALLE,
        "nombre_en_formulario": nombre_en_formulario,
        "opciones": {
            "tipo": list(TipoPendiente),
            "lugar": list(LugarPendiente),
            "prioridad": list(PrioridadPendiente),
            "empresa": list(EmpresaPendiente),
        },
    }
    return pagina(request, "nuevo.html", usuario, status_code, **contexto)


@router.get("/nuevo")
async def nuevo(request: Request, usuario: UsuarioTablero, session: SessionDep):
    exigir(usuario, *PANTALLA.permisos)
    valores = {k: v for k, v in request.query_params.items() if k in ("q", "clienteId")}
    return await _formulario(request, usuario, session, valores)


@router.post("/nuevo", dependencies=[Depends(verificar_csrf)])
async def registrar(request: Request, usuario: UsuarioTablero, session: SessionDep, comandos: ComandosDep):
    exigir(usuario, *PANTALLA.permisos)
    formulario = await request.form()
    valores = {k: v for k, v in formulario.items() if isinstance(v, str)}
    try:
        cuerpo = CrearPendienteRequest.model_validate(_cuerpo(formulario))
        # The type's own detail schema (the one the create checks), here for messages in Spanish.
        DETALLE_POR_TIPO[cuerpo.tipo].model_validate(cuerpo.detalle or {})
    except ValidationError as error:
        errores = _errores(error, "detalle." if error.title in NOMBRES_DETALLE else "")
        aviso = "Revisa " + ", ".join(f"«{c}»" for c in errores) + "."
        return await _formulario(request, usuario, session, valores, 422, errores, aviso)
    clave = (valores.get("clave") or "")[:100] or None
    try:
        pendiente_id = await creacion.crear(session, comandos, cuerpo, usuario, clave)
    except ErrorPendientes as error:
        campo = error.data.get("campo") if isinstance(error.data, dict) else None
        errores = {campo: error.mensaje} if campo else {}
        aviso = f"No se pudo registrar: {error.mensaje}" + (f" (campo «{campo}»)." if campo else ".")
        return await _formulario(request, usuario, session, valores, error.status, errores, aviso)
    return RedirectResponse(f"/tablero/pendientes/{pendiente_id}?nuevo=1", status_code=303)


@router.get("/clientes")
async def buscar_clientes(request: Request, usuario: UsuarioTablero, session: SessionDep, q: str = ""):
    """The search's matches as radio buttons for the form (htmx swaps them in)."""
    exigir(usuario, *PANTALLA.permisos)
    encontrados = await _clientes(session, usuario, q)
    return pagina(request, "clientes.html", usuario, clientes=encontrados, q=q, seleccionado=None, valores={})
