"""What the work-queue screens (Mis pendientes, Red, Validación) show of each pendiente, read through the
API's services: the list with its visibility rule and filters (api/pendientes/servicio.listar_pendientes),
the buttons from the rule behind `GET /{id}/acciones`, and a summary of the type detail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.comun.deps import UsuarioActual
from api.comun.paginacion import ParametrosPagina
from api.comun.visibilidad import pendiente_visible
from api.pendientes import servicio as pendientes
from api.pendientes.acciones import acciones_de
from api.pendientes.esquemas import FiltroPendienteRequest, PendienteResponse
from db.lectura import detalle_de

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
