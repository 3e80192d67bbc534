"""Bodies of /api/pagos with the original's camelCase names (reference §5.10). Money is `Monto` in,
`DineroSalida` out (api/comun/tipos.py: one representation everywhere).

`...Crear` are POST bodies; `...Cambios` are partial PUT bodies (only the fields present change)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from api.comun.tipos import Camel, DineroSalida, Id, Monto
from db import models as m
from domain.enums import MetodoPago

Referencia = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)]

# Payments are recorded for work of this system's era: an earlier date is a typo (year 1, 0202...).
FECHA_PAGO_MINIMA = date(2000, 1, 1)


def _desde_minima(valor: date) -> date:
    if valor < FECHA_PAGO_MINIMA:
        raise ValueError(f"la fecha de pago no puede ser anterior a {FECHA_PAGO_MINIMA.isoformat()}")
    return valor


# Not in the future either: that depends on today's date in Lima, checked by the route.
FechaPago = Annotated[date, AfterValidator(_desde_minima)]
IGNORADO = "Ignorado: el empleado es siempre el del usuario autenticado"


class PagoCrear(Camel):
    empleado_id: Id | None = Field(default=None, description=IGNORADO)
    cliente_id: Id | None = Field(
        default=None, description="Debe ser el cliente del pendiente; si falta, se toma el del pendiente"
    )
    pendiente_id: Id
    monto: Monto
    fecha_pago: FechaPago | None = Field(
        default=None, description="Por defecto hoy (America/Lima); desde 2000-01-01 y no futura"
    )
    metodo_pago: MetodoPago
    referencia: Referencia | None = None


class PagoCambios(Camel):
    """Partial: the same rules apply to the merged values. `empleadoId` (the registrant) never changes."""

    empleado_id: Id | None = Field(default=None, description=IGNORADO)
    cliente_id: Id | None = None
    pendiente_id: Id | None = None
    monto: Monto | None = None
    fecha_pago: FechaPago | None = None
    metodo_pago: MetodoPago | None = None
    referencia: Referencia | None = None


class PagoResponse(Camel):
    id: int
    empleado_id: int
    empleado_nombre: str
    cliente_id: int
    cliente_nombre: str
    pendiente_id: int
    monto: DineroSalida
    fecha_pago: date
    metodo_pago: MetodoPago
    referencia: str | None


def nombre_empleado(empleado: m.Empleado) -> str:
    """`nombre apellidoPaterno`, as the original's responses show it."""
    return " ".join(p for p in (empleado.nombre, empleado.apellido_paterno) if p)
