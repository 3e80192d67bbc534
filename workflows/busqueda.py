"""Custom search attributes: what ops filter pendientes by in the Temporal UI."""

from __future__ import annotations

from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    SearchAttributeUpdate,
    TypedSearchAttributes,
)

from contrato.mensajes import DatosPendiente, EstadoVivo
from domain import sla

ESTADO = SearchAttributeKey.for_keyword("Estado")
ESTADO_TECNICO = SearchAttributeKey.for_keyword("EstadoTecnico")
TIPO = SearchAttributeKey.for_keyword("Tipo")
PRIORIDAD = SearchAttributeKey.for_keyword("Prioridad")
LUGAR = SearchAttributeKey.for_keyword("Lugar")
EMPRESA = SearchAttributeKey.for_keyword("Empresa")
ASIGNADO_A = SearchAttributeKey.for_int("AsignadoA")
CLIENTE_ID = SearchAttributeKey.for_int("ClienteId")
FECHA_PENDIENTE = SearchAttributeKey.for_datetime("FechaPendiente")
VENCIDO = SearchAttributeKey.for_bool("Vencido")
# The NAMES of the pendiente's labels (what ops type: `Etiquetas = "Cancelada por email"`), as they were
# when the labels were put: renaming a label later does not rewrite the workflows already labelled.
ETIQUETAS = SearchAttributeKey.for_keyword_list("Etiquetas")
# EN_PLAZO, EN_RIESGO or INCUMPLIDO (domain/sla.py): `EstadoSla = "INCUMPLIDO"` lists the breached ones.
ESTADO_SLA = SearchAttributeKey.for_keyword("EstadoSla")

TODAS = (
    ESTADO,
    ESTADO_TECNICO,
    TIPO,
    PRIORIDAD,
    LUGAR,
    EMPRESA,
    ASIGNADO_A,
    CLIENTE_ID,
    FECHA_PENDIENTE,
    VENCIDO,
    ETIQUETAS,
    ESTADO_SLA,
)

# Indexed type -> the name the `temporal` CLI uses (`server start-dev --search-attribute`).
TIPOS_CLI = {
    "KEYWORD": "Keyword",
    "INT": "Int",
    "DATETIME": "Datetime",
    "BOOL": "Bool",
    "KEYWORD_LIST": "KeywordList",
}


def cli_flags() -> list[str]:
    flags: list[str] = []
    for key in TODAS:
        flags += ["--search-attribute", f"{key.name}={TIPOS_CLI[key.indexed_value_type.name]}"]
    return flags


def _valores(datos: DatosPendiente, vivo: EstadoVivo) -> list[SearchAttributePair]:
    pares = [
        SearchAttributePair(ESTADO, vivo.estado.value),
        SearchAttributePair(ESTADO_TECNICO, vivo.estado_tecnico.value),
        SearchAttributePair(TIPO, datos.tipo.value),
        SearchAttributePair(PRIORIDAD, datos.prioridad.value),
        SearchAttributePair(LUGAR, datos.lugar.value),
        SearchAttributePair(CLIENTE_ID, datos.cliente_id),
        SearchAttributePair(VENCIDO, vivo.vencido),
    ]
    if datos.empresa:
        pares.append(SearchAttributePair(EMPRESA, datos.empresa.value))
    if vivo.asignado_a is not None:
        pares.append(SearchAttributePair(ASIGNADO_A, vivo.asignado_a))
    if vivo.fecha_pendiente is not None:
        pares.append(SearchAttributePair(FECHA_PENDIENTE, vivo.fecha_pendiente))
    if vivo.sla is not None:
        pares.append(SearchAttributePair(ESTADO_SLA, sla.estado_sla(vivo.sla, vivo.estado).value))
    return pares


def al_iniciar(
    datos: DatosPendiente, vivo: EstadoVivo, etiquetas: list[str] | None = None
) -> TypedSearchAttributes:
    """A new workflow's attributes; `etiquetas` (label names) for one relaunched from its record."""
    pares = _valores(datos, vivo)
    if etiquetas:
        pares.append(SearchAttributePair(ETIQUETAS, sorted(etiquetas)))
    return TypedSearchAttributes(pares)


def actualizaciones(
    datos: DatosPendiente, vivo: EstadoVivo, etiquetas: list[str] | None = None
) -> list[SearchAttributeUpdate]:
    """Upserts for the current state; attributes that no longer apply are unset. `etiquetas` (label
    names) only when a change set them: otherwise the attribute keeps what it holds."""
    pares = _valores(datos, vivo)
    puestos = {p.key.name for p in pares}
    quitar = [k.value_unset() for k in (ASIGNADO_A, FECHA_PENDIENTE, EMPRESA) if k.name not in puestos]
    if etiquetas is not None:
        quitar.append(ETIQUETAS.value_set(sorted(etiquetas)) if etiquetas else ETIQUETAS.value_unset())
    return [p.key.value_set(p.value) for p in pares] + quitar


def solo_cambios(
    actuales: TypedSearchAttributes, actualizaciones: list[SearchAttributeUpdate]
) -> list[SearchAttributeUpdate]:
    """The updates that change what the workflow holds now: each upsert is a visibility write on the
    server, and most changes move one or two attributes (an action that moves none writes nothing)."""
    return [u for u in actualizaciones if actuales.get(u.key) != u.value]
