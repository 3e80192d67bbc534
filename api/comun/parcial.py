"""Partial updates as the seed documents describe them: a PUT (or PATCH) changes only the fields present
in the body; an explicit null clears a nullable field; absent fields keep their values."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from domain.errores import DatosInvalidos


def cambios(cuerpo: BaseModel, obligatorios: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The fields the client actually sent (by attribute name). Sending null for a field the row
    cannot lack (`obligatorios`) is a 422 naming it."""
    enviados = {campo: getattr(cuerpo, campo) for campo in cuerpo.model_fields_set}
    for campo, valor in enviados.items():
        if valor is None and campo in obligatorios:
            alias = type(cuerpo).model_fields[campo].alias or campo
            raise DatosInvalidos(f"'{alias}' no puede quedar vacío", {"campo": alias})
    return enviados


def aplicar(fila: Any, valores: dict[str, Any]) -> None:
    for campo, valor in valores.items():
        setattr(fila, campo, valor)
