"""`/tablero`: the dispatch board. Columns by estado with their counts; filters by lugar, tipo,
prioridad, technician, overdue, SLA, label and text; each card links to its pendiente. A technician sees
the same board with only their own pendientes (the API's visibility rule)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import ValidationError

from api.comun.deps import SessionDep
from api.etiquetas import servicio as etiquetas
from api.pendientes import servicio as pendientes
from api.pendientes.esquemas import FiltroPendienteRequest
from api.tablero import servicio
from api.tablero.sesion import UsuarioTablero, exigir
from api.tablero.vistas import pagina
from domain import pantallas
from domain.enums import EstadoPendiente, EstadoSla, LugarPendiente, PrioridadPendiente, TipoPendiente
from domain.errores import DatosInvalidos

router = APIRouter(prefix="/tablero", include_in_schema=False)

POR_COLUMNA = 50
# The query string's names -> the list filter's (FiltroPendienteRequest, camelCase as the API spells them).
FILTROS = ("lugar", "tipo", "prioridad", "asignadoAId", "vencido", "estadoSla", "texto", "etiquetas")


def _filtro(request: Request) -> tuple[FiltroPendienteRequest, dict[str, str], str | None]:
    valores = {k: v for k in FILTROS if (v := request.query_params.get(k, "").strip())}
    datos: dict[str, object] = dict(valores)
    if "etiquetas" in datos:
        datos["etiquetas"] = [datos["etiquetas"]]
    try:
        return FiltroPendienteRequest.model_validate(datos), valores, None
    except ValidationError as error:
        campo = ".".join(str(p) for p in error.errors()[0]["loc"]) or "filtro"
        return FiltroPendienteRequest(), {}, f"El filtro «{campo}» no es válido; se muestran todos."


@router.get("")
async def tablero(request: Request, usuario: UsuarioTablero, session: SessionDep):
    exigir(usuario, *pantallas.POR_RUTA["/tablero"].permisos)
    filtro, valores, aviso = _filtro(request)
    try:
        columnas, conteos = await pendientes.por_estado(session, filtro, usuario, POR_COLUMNA)
    except DatosInvalidos as error:
        filtro, valores, aviso = FiltroPendienteRequest(), {}, error.mensaje
        columnas, conteos = await pendientes.por_estado(session, filtro, usuario, POR_COLUMNA)
    contexto = {
        "columnas": columnas,
        "conteos": conteos,
        "total": sum(conteos.values()),
        "filtros": valores,
        "aviso": aviso,
        "por_columna": POR_COLUMNA,
        "opciones": {
            "lugar": list(LugarPendiente),
            "tipo": list(TipoPendiente),
            "prioridad": list(PrioridadPendiente),
            "estadoSla": list(EstadoSla),
            "tecnicos": await servicio.tecnicos(session),
            "etiquetas": await etiquetas.listar(session),
        },
        "estados": list(EstadoPendiente),
    }
    return pagina(request, "tablero.html", usuario, **contexto)
