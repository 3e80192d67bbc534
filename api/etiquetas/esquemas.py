"""Bodies of /api/etiquetas. A name is 1 to 50 characters (trimmed), unique among live labels whatever
the case; a colour is `#rrggbb` or a palette token like the peer's `RED_2` (domain/etiquetas.py)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

from api.comun.tipos import Camel, FechaHora
from domain.etiquetas import NOMBRE_MAXIMO, PATRON_COLOR

Nombre = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NOMBRE_MAXIMO)]


def _vacio_es_nulo(valor: Any) -> Any:
    return None if isinstance(valor, str) and not valor.strip() else valor


def _minusculas_hex(valor: str | None) -> str | None:
    # One spelling per colour: `#A1B2C3` and `#a1b2c3` are the same.
    return valor.lower() if valor and valor.startswith("#") else valor


Color = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, pattern=PATRON_COLOR)] | None,
    BeforeValidator(_vacio_es_nulo),
    AfterValidator(_minusculas_hex),
]


class EtiquetaCrear(Camel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        json_schema_extra={"example": {"nombre": "Cancelada por email", "color": "RED_2"}},
    )

    nombre: Nombre
    color: Color = Field(default=None, description="`#rrggbb` o una ficha de paleta como `RED_2`")


class EtiquetaCambios(Camel):
    """Partial: only the fields sent change; `color: null` clears it."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    nombre: Nombre | None = None
    color: Color = None


class EtiquetaResponse(Camel):
    id: int
    nombre: str
    color: str | None
    fecha_creacion: FechaHora
