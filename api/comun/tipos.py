"""Field types every feature's bodies share: dates in Lima, storable text, ids, versions, money, and the
camelCase base models. One definition each; a feature's schemas import them from here."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Path
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from domain.zona import LIMA


def _a_lima(valor: Any) -> Any:
    """Accept a datetime with or without offset (no offset = Lima time) or a plain date."""
    if isinstance(valor, str) and len(valor) == 10:
        try:
            valor = date.fromisoformat(valor)
        except ValueError:
            return valor
    if isinstance(valor, date) and not isinstance(valor, datetime):
        return datetime.combine(valor, time.min, LIMA)
    if isinstance(valor, str):
        try:
            valor = datetime.fromisoformat(valor)
        except ValueError:
            return valor  # pydantic reports it, naming the field
    if isinstance(valor, datetime) and valor.tzinfo is None:
        return valor.replace(tzinfo=LIMA)
    return valor


# Work is scheduled in this life: far-off years are typos, and near year 1 or 9999 an offset overflows.
ANIO_MINIMO, ANIO_MAXIMO = 1900, 2999
# A field-work date (fechaPendiente, nuevaFecha) starts in 2000: before 1908 Lima's offset is local mean
# time (-05:08:12), which Temporal's search attributes refuse and a round trip shifts by seconds; from
# 2000 on (tzdata) Lima is always -05:00.
ANIO_MINIMO_TRABAJO = 2000


def _anio_razonable(valor: date) -> date:
    if not ANIO_MINIMO <= valor.year <= ANIO_MAXIMO:
        raise ValueError(f"el año debe estar entre {ANIO_MINIMO} y {ANIO_MAXIMO}")
    return valor


def _anio_de_trabajo(valor: datetime) -> datetime:
    if valor.astimezone(LIMA).year < ANIO_MINIMO_TRABAJO:
        raise ValueError(f"la fecha debe ser del año {ANIO_MINIMO_TRABAJO} o posterior")
    return valor


# Input: naive values are Lima time. Output: always ISO-8601 with the Lima offset.
FechaHora = Annotated[
    datetime,
    BeforeValidator(_a_lima),
    AfterValidator(_anio_razonable),
    PlainSerializer(lambda v: v.astimezone(LIMA).isoformat(), return_type=str),
]


# A date of field work the workflow schedules and shows in Temporal (see ANIO_MINIMO_TRABAJO).
FechaTrabajo = Annotated[FechaHora, AfterValidator(_anio_de_trabajo)]

# Characters no text column or payload can hold: NUL (Postgres text refuses it) and a lone UTF-16
# surrogate (JSON's "\\ud800" parses to one, and it cannot be encoded as UTF-8 for Postgres or Temporal).
_NO_GUARDABLE = re.compile("[\x00\ud800-\udfff]")


def guardable(valor: Any) -> Any:
    """Refuse a text (or a list of texts) with a character that cannot be stored. Dicts are left to
    the nested model that validates them, so its error names the inner field."""
    if isinstance(valor, str) and _NO_GUARDABLE.search(valor):
        raise ValueError("contiene un carácter que no se puede guardar (NUL o un sustituto UTF-16 suelto)")
    if isinstance(valor, list | tuple):
        for elemento in valor:
            guardable(elemento)
    return valor


# Free text that Postgres can store: refused here, it never reaches a workflow's state.
Texto = Annotated[str, AfterValidator(guardable)]

# A database id: positive and within Postgres' bigint, so no id ever reaches SQL out of range.
Id = Annotated[int, Field(gt=0, le=2**63 - 1)]
# A pendiente's version (its change count, an integer column): a bigger number is a client's mistake.
VERSION_MAXIMA = 2**31 - 1


class Limpio(BaseModel):
    """A body whose every text field is storable: checked once here for all fields, so the 422 names
    the field whatever model it belongs to."""

    @field_validator("*", mode="before")
    @classmethod
    def _guardable(cls, valor: Any) -> Any:
        return guardable(valor)


class Camel(Limpio):
    """A body with the API's camelCase names. A field sent by its Python name (`fecha_pendiente`, still
    accepted as the original did) is read under its camelCase name, so a 422 about its value names
    `fechaPendiente`, like the documentation and every other error."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _nombres_de_la_api(cls, datos: Any) -> Any:
        if not isinstance(datos, dict):
            return datos
        alias = {n: f.alias for n, f in cls.model_fields.items() if f.alias and f.alias != n}
        return {(alias[k] if k in alias and alias[k] not in datos else k): v for k, v in datos.items()}


def _a_dia(valor: Any) -> Any:
    """A Lima calendar day from a date, or from a datetime (naive = Lima; with offset: converted)."""
    if isinstance(valor, str) and len(valor) > 10:
        try:
            valor = datetime.fromisoformat(valor)
        except ValueError:
            return valor
    if isinstance(valor, datetime):
        try:
            return (valor.astimezone(LIMA) if valor.tzinfo else valor).date()
        except OverflowError:
            return valor.date()  # year 1 or 9999: refused by the year check
    return valor


Dia = Annotated[date, BeforeValidator(_a_dia), AfterValidator(_anio_razonable)]

# A database id in a path: the same bounds as `Id`, documented in the OpenAPI path parameter.
IdRuta = Annotated[int, Path(gt=0, le=2**63 - 1)]

# Money, one representation everywhere (productos, items, pagos, the costoFijo of an installation): an exact
# Decimal with at most 2 places inside, a JSON number on the wire, as the original's BigDecimal was. A request
# may send a number or a numeric string. The number is exact: at most 12 significant digits, which the
# shortest float repr reproduces digit for digit.
# numeric(10,2): a price or cost, never negative (the CCTV placeholders cost 0.00).
Dinero = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2, allow_inf_nan=False)]
# numeric(12,2): an amount paid, always positive.
Monto = Annotated[
    Decimal, Field(gt=0, max_digits=12, decimal_places=2, allow_inf_nan=False, examples=["50.00"])
]
DineroSalida = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
