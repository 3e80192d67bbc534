"""Paginated lists in the original's page shape (`content, totalElements, totalPages, number, size,
first, last`), with a whitelisted sort: an unknown sort field is a 422, never a 500."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errores import DatosInvalidos

T = TypeVar("T")
TAMANO_MAXIMO = 100


class Pagina(BaseModel, Generic[T]):
    content: list[T]
    totalElements: int
    totalPages: int
    number: int
    size: int
    numberOfElements: int
    first: bool
    last: bool
    empty: bool


@dataclass(frozen=True)
class ParametrosPagina:
    page: int
    size: int
    sort: str | None


def parametros_pagina(
    page: int = Query(0, ge=0, le=1_000_000, description="Página, desde 0"),
    size: int = Query(20, ge=1, le=TAMANO_MAXIMO, description=f"Tamaño de página (máximo {TAMANO_MAXIMO})"),
    sort: str | None = Query(None, max_length=100, description="campo,asc|desc"),
) -> ParametrosPagina:
    return ParametrosPagina(page, size, sort)


def orden(sort: str | None, columnas: Mapping[str, Any], defecto: Any) -> Any:
    """The ORDER BY element of `campo,dir` if `campo` is one of `columnas` (API name -> column); 422
    otherwise."""
    if not sort:
        return defecto
    campo, _, direccion = sort.partition(",")
    columna = columnas.get(campo.strip())
    if columna is None:
        permitidos = ", ".join(sorted(columnas))
        raise DatosInvalidos(
            f"no se puede ordenar por '{campo}'; use uno de: {permitidos}", {"campo": "sort"}
        )
    if direccion.strip().lower() not in ("", "asc", "desc"):
        raise DatosInvalidos("la dirección de orden es asc o desc", {"campo": "sort"})
    return columna.desc() if direccion.strip().lower() == "desc" else columna.asc()


def ordenar(consulta: Select, sort: str | None, columnas: Mapping[str, Any], defecto: Any) -> Select:
    return consulta.order_by(orden(sort, columnas, defecto))


def pagina_de(contenido: list[T], total: int, parametros: ParametrosPagina) -> Pagina[T]:
    """The page shape around rows already read and the count of all of them."""
    paginas = math.ceil(total / parametros.size) if total else 0
    return Pagina(
        content=contenido,
        totalElements=total,
        totalPages=paginas,
        number=parametros.page,
        size=parametros.size,
        numberOfElements=len(contenido),
        first=parametros.page == 0,
        last=parametros.page >= paginas - 1,
        empty=not contenido,
    )


async def paginar(
    session: AsyncSession,
    consulta: Select,
    parametros: ParametrosPagina,
    convertir: Callable[[Any], T],
    columnas_orden: Mapping[str, Any],
    orden_defecto: Any,
    escalar: bool = True,
    desempate: Any = None,
) -> Pagina[T]:
    """Count, order, slice and convert one page of `consulta` (a SELECT of the rows to list).
    `desempate` is ordered last, so equal sort keys never make a row jump between pages."""
    total = await session.scalar(select(func.count()).select_from(consulta.order_by(None).subquery()))
    ordenada = ordenar(consulta, parametros.sort, columnas_orden, orden_defecto)
    if desempate is not None:
        ordenada = ordenada.order_by(desempate)
    pagina = ordenada.limit(parametros.size).offset(parametros.page * parametros.size)
    resultado = await session.execute(pagina)
    filas = resultado.scalars().all() if escalar else resultado.all()
    return pagina_de([convertir(f) for f in filas], total, parametros)
