"""What the work-queue screens (Mis pendientes, Red, Validación) show of each pendiente, read through the
API's services: the list with its visibility rule and filters (api/pendientes/servicio.listar_pendientes),
the buttons from the rule behind `GET /{id}/acciones`, and a summary of the type detail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from api.comun.deps import UsuarioActual
from api.comun.paginacion import ParametrosPagina
from api.comun.visibilidad import pendiente_visible
from api.pendientes import servicio as pendientes
from api.pendientes.acciones import acciones_de
from api.pendientes.esquemas import FiltroPendienteRequest, PendienteResponse
from api.tablero import servicio
from db.lectura import detalle_de
from domain.acciones import Accion
from domain.enums import LugarPendiente

HECHOS = frozenset({*(a.value for a in Accion), "nota"})
# A screen lists at most one API page (the API's largest) and says how many more there are.
MAXIMO = 100

# The type detail as a technician reads it. A whitelist: the PPPoE password (nor its ciphertext) is
# never among what a card shows.
RESUMEN = (
    ("descripcion_falla", "Falla"),
    ("velocidad_solicitada", "Velocidad"),
    ("tipo_instalacion", "Instalación"),
    ("dispositivo", "Dispositivo"),
    ("motivo", "Motivo"),
    ("lugar_destino", "Destino"),
    ("direccion_destino", "Dirección destino"),
    ("tipo_servicio", "Servicio"),
    ("vlan", "VLAN"),
    ("pppoe_usuario", "Usuario PPPoE"),
)


# What a queue page's search form may narrow by (the list filter's names, as the API spells them).
BUSQUEDA = ("texto", "lugar")


def busqueda(request: Request, **fijos: Any) -> tuple[FiltroPendienteRequest, dict[str, str], str | None]:
    """The screen's own filter (`fijos`) narrowed by the search form; a bad value is ignored and said."""
    valores = {k: v for k in BUSQUEDA if (v := request.query_params.get(k, "").strip())}
    try:
        return FiltroPendienteRequest.model_validate({**valores, **fijos}), valores, None
    except ValidationError as error:
        campo = ".".join(str(p) for p in error.errors()[0]["loc"]) or "filtro"
        aviso = f"La búsqueda «{campo}» no es válida; se muestran todos."
        return FiltroPendienteRequest.model_validate(fijos), {}, aviso


def hecho(request: Request) -> str | None:
    """What a form just did (`?hecho=`), if it names one: never free text put on the page by a link."""
    valor = request.query_params.get("hecho")
    return valor if valor in HECHOS else None


def aqui(ruta: str, valores: dict[str, str]) -> str:
    """The page with its search, for the forms to come back to."""
    return ruta + (f"?{urlencode(valores)}" if valores else "")


@dataclass
class Tarjeta:
    p: PendienteResponse
    acciones: list[str]
    resumen: list[tuple[str, str]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


async def listar(
    session: AsyncSession, usuario: UsuarioActual, filtro: FiltroPendienteRequest, orden: str
) -> tuple[list[PendienteResponse], int]:
    """The pendientes the user may see that match `filtro`, in `orden` (`campo,asc`), and how many match."""
    pagina = await pendientes.listar_pendientes(session, filtro, ParametrosPagina(0, MAXIMO, orden), usuario)
    return pagina.content, pagina.totalElements


def _texto(valor: Any) -> str:
    return str(getattr(valor, "value", valor)).replace("_", " ")


async def resumen_detalle(
    session: AsyncSession, pendiente_id: int, usuario: UsuarioActual
) -> list[tuple[str, str]]:
    fila = await pendiente_visible(session, pendiente_id, usuario)
    detalle = await detalle_de(session, fila)
    valores = ((nombre, getattr(detalle, campo, None)) for campo, nombre in RESUMEN)
    return [(nombre, _texto(v)) for nombre, v in valores if v not in (None, "")]


async def tarjetas(
    session: AsyncSession,
    usuario: UsuarioActual,
    lista: list[PendienteResponse],
    solo: frozenset[str] | None = None,
    resumen: bool = True,
) -> list[Tarjeta]:
    """Each pendiente with its allowed actions (only those in `solo`, when the screen is about them)."""
    resultado = []
    for p in lista:
        acciones = list((await acciones_de(session, p.id, usuario)).acciones)
        if solo is not None:
            acciones = [a for a in acciones if a in solo]
        detalle = await resumen_detalle(session, p.id, usuario) if resumen else []
        resultado.append(Tarjeta(p, acciones, detalle))
    return resultado


async def cola(
    request: Request,
    session: AsyncSession,
    ruta: str,
    tarjetas_: list[Tarjeta],
    total: int,
    valores: dict[str, str],
    aviso: str | None,
) -> dict[str, Any]:
    """What every work-queue page (Red, Validación) shows around its cards."""
    return {
        "tarjetas": tarjetas_,
        "total": total,
        "volver": aqui(ruta, valores),
        "filtros": valores,
        "aviso": aviso,
        "lugares": list(LugarPendiente),
        "hecho": hecho(request),
        "tecnicos": await servicio.tecnicos(session),
    }
