"""`evaluar`, `acciones_permitidas` and `accion_hacia` against product-decisions.md.

Every expected table below is typed from the document ("State machine", "Network sub-state",
"Permissions"); the domain's own TRANSICIONES / REGLAS are never read.
"""

from __future__ import annotations

import itertools

import pytest

from domain.acciones import (
    Accion,
    Actor,
    Rechazo,
    Situacion,
    accion_hacia,
    acciones_permitidas,
    evaluar,
)
from domain.enums import EstadoPendiente as E
from domain.enums import EstadoTecnico as ET
from domain.enums import TipoPendiente as T
from domain.permisos import Permiso as P

# --------------------------------------------------------------------------------------------
# Independent tables (strings typed from product-decisions.md)
# --------------------------------------------------------------------------------------------

ESTADOS = [
    "REGISTRADO",
    "ASIGNADO",
    "EN_PROGRESO",
    "PAUSADO",
    "REVISION",
    "POR_VALIDAR",
    "OBSERVADO",
    "FINALIZADO",
    "POSTERGADO",
    "CANCELADO",
]
ESTADOS_TECNICOS = ["OK", "PENDIENTE_PPPoE", "PENDIENTE_VLAN", "PENDIENTE_PPPoE_Y_VLAN"]
TIPOS = ["AVERIA", "INSTALACION_INTERNET", "INSTALACION_CAMARAS", "RECOJO_DISPOSITIVOS", "TRASLADO"]
TIPOS_CON_RED = ["AVERIA", "INSTALACION_INTERNET", "TRASLADO"]
TIPOS_SIN_RED = ["INSTALACION_CAMARAS", "RECOJO_DISPOSITIVOS"]
CERRADOS = ["FINALIZADO", "CANCELADO"]
ABIERTOS = [e for e in ESTADOS if e not in CERRADOS]

ACCIONES_ESTADO = [
    "asignar",
    "reasignar",
    "comenzar",
    "pausar",
    "continuar",
    "terminar",
    "solicitar_revision",
    "validar",
    "observar",
    "retomar",
    "finalizar",
    "cancelar",
    "postergar",
]
ACCIONES_RED = ["pedir_pppoe", "pedir_vlan", "configurar_pppoe", "configurar_vlan"]

# Main state machine: (from, action, to), one row per from-state.
_TABLA_ESTADO: list[tuple[list[str], str, str]] = [
    (["REGISTRADO", "POSTERGADO"], "asignar", "ASIGNADO"),
    (["ASIGNADO"], "asignar", "ASIGNADO"),
    (["ASIGNADO", "EN_PROGRESO", "PAUSADO"], "reasignar", "REGISTRADO"),
    (["ASIGNADO"], "comenzar", "EN_PROGRESO"),
    (["EN_PROGRESO"], "pausar", "PAUSADO"),
    (["PAUSADO"], "continuar", "EN_PROGRESO"),
    (["EN_PROGRESO", "PAUSADO"], "terminar", "POR_VALIDAR"),
    (["EN_PROGRESO", "PAUSADO"], "solicitar_revision", "REVISION"),
    (["REVISION", "OBSERVADO"], "validar", "POR_VALIDAR"),
    (["POR_VALIDAR", "REVISION"], "observar", "OBSERVADO"),
    (["OBSERVADO"], "retomar", "EN_PROGRESO"),
    (["POR_VALIDAR"], "finalizar", "FINALIZADO"),
    (
        ["REGISTRADO", "ASIGNADO", "EN_PROGRESO", "PAUSADO", "POSTERGADO", "OBSERVADO"],
        "cancelar",
        "CANCELADO",
    ),
    (["REGISTRADO", "ASIGNADO", "PAUSADO", "POSTERGADO", "CANCELADO"], "postergar", "POSTERGADO"),
]
FILAS_ESTADO: list[tuple[str, str, str]] = [
    (desde, accion, hacia) for desdes, accion, hacia in _TABLA_ESTADO for desde in desdes
]
PERMITIDAS_ESTADO = {(desde, accion): hacia for desde, accion, hacia in FILAS_ESTADO}
PROHIBIDAS_ESTADO = [
    (estado, accion)
    for estado, accion in itertools.product(ESTADOS, ACCIONES_ESTADO)
    if (estado, accion) not in PERMITIDAS_ESTADO
]

# Network sub-state: the product table plus the product decision that configuring what is not
# pending is allowed and leaves the sub-state as it is.
FILAS_RED: list[tuple[str, str, str]] = [
    ("OK", "pedir_pppoe", "PENDIENTE_PPPoE"),
    ("OK", "pedir_vlan", "PENDIENTE_VLAN"),
    ("PENDIENTE_PPPoE", "pedir_vlan", "PENDIENTE_PPPoE_Y_VLAN"),
    ("PENDIENTE_VLAN", "pedir_pppoe", "PENDIENTE_PPPoE_Y_VLAN"),
    ("PENDIENTE_PPPoE", "configurar_pppoe", "OK"),
    ("PENDIENTE_VLAN", "configurar_vlan", "OK"),
    ("PENDIENTE_PPPoE_Y_VLAN", "configurar_pppoe", "PENDIENTE_VLAN"),
    ("PENDIENTE_PPPoE_Y_VLAN", "configurar_vlan", "PENDIENTE_PPPoE"),
    # configuring while not pending: allowed, sub-state unchanged
    ("OK", "configurar_pppoe", "OK"),
    ("OK", "configurar_vlan", "OK"),
    ("PENDIENTE_VLAN", "configurar_pppoe", "PENDIENTE_VLAN"),
    ("PENDIENTE_PPPoE", "configurar_vlan", "PENDIENTE_PPPoE"),
]
PERMITIDAS_RED = {(desde, accion): hacia for desde, accion, hacia in FILAS_RED}
PROHIBIDAS_RED = [
    (et, accion)
    for et, accion in itertools.product(ESTADOS_TECNICOS, ACCIONES_RED)
    if (et, accion) not in PERMITIDAS_RED
]

# Who may take each action: any-of. "EJECUTAR_TRABAJO" means the assigned technician only.
PERMISOS_REQUERIDOS: dict[str, set[str]] = {
    "asignar": {"ASIGNAR_TECNICO"},
    "reasignar": {"ASIGNAR_TECNICO", "EJECUTAR_TRABAJO"},
    "comenzar": {"EJECUTAR_TRABAJO"},
    "pausar": {"EJECUTAR_TRABAJO"},
    "continuar": {"EJECUTAR_TRABAJO"},
    "terminar": {"EJECUTAR_TRABAJO"},
    "solicitar_revision": {"EJECUTAR_TRABAJO"},
    "validar": {"OBSERVAR_PENDIENTE", "FINALIZAR_PENDIENTE"},
    "observar": {"OBSERVAR_PENDIENTE"},
    "retomar": {"EJECUTAR_TRABAJO"},
    "finalizar": {"FINALIZAR_PENDIENTE"},
    "cancelar": {"CANCELAR_PENDIENTE"},
    "postergar": {"POSTERGAR_PENDIENTE"},
    "pedir_pppoe": {"EJECUTAR_TRABAJO", "CONFIGURAR_PPPOE"},
    "pedir_vlan": {"EJECUTAR_TRABAJO", "CONFIGURAR_VLAN"},
    "configurar_pppoe": {"CONFIGURAR_PPPOE"},
    "configurar_vlan": {"CONFIGURAR_VLAN"},
}
ACCIONES_DEL_TECNICO = [a for a, ps in PERMISOS_REQUERIDOS.items() if "EJECUTAR_TRABAJO" in ps]

# A situation in which each action is allowed by the tables (used by the permission tests).
SITUACION_VALIDA: dict[str, tuple[str, str]] = {
    "asignar": ("REGISTRADO", "OK"),
    "reasignar": ("ASIGNADO", "OK"),
    "comenzar": ("ASIGNADO", "OK"),
    "pausar": ("EN_PROGRESO", "OK"),
    "continuar": ("PAUSADO", "OK"),
    "terminar": ("EN_PROGRESO", "OK"),
    "solicitar_revision": ("EN_PROGRESO", "OK"),
    "validar": ("REVISION", "OK"),
    "observar": ("POR_VALIDAR", "OK"),
    "retomar": ("OBSERVADO", "OK"),
    "finalizar": ("POR_VALIDAR", "OK"),
    "cancelar": ("REGISTRADO", "OK"),
    "postergar": ("REGISTRADO", "OK"),
    "pedir_pppoe": ("EN_PROGRESO", "OK"),
    "pedir_vlan": ("EN_PROGRESO", "OK"),
    "configurar_pppoe": ("EN_PROGRESO", "PENDIENTE_PPPoE"),
    "configurar_vlan": ("EN_PROGRESO", "PENDIENTE_VLAN"),
}

TECNICO = 7  # empleado id of the assigned technician
OTRO_TECNICO = 8

TODOS_LOS_PERMISOS = frozenset(P)


def actor(*permisos: str, empleado_id: int | None = TECNICO) -> Actor:
    return Actor(empleado_id=empleado_id, permisos=frozenset(P(p) for p in permisos))


TODOPODEROSO = Actor(empleado_id=TECNICO, permisos=TODOS_LOS_PERMISOS)


def situacion(
    estado: str,
    estado_tecnico: str = "OK",
    tipo: str = "AVERIA",
    asignado_a: int | None = TECNICO,
    pppoe: bool = False,
    vlan: bool = False,
) -> Situacion:
    return Situacion(
        estado=E(estado),
        estado_tecnico=ET(estado_tecnico),
        tipo=T(tipo),
        asignado_a=asignado_a,
        pppoe_configurado=pppoe,
        vlan_configurada=vlan,
    )


def actor_minimo(permiso: str) -> Actor:
    """Holds only `permiso`; if it is EJECUTAR_TRABAJO the actor is the assigned technician."""
    return actor(permiso, empleado_id=TECNICO)


def assert_rechazo(decision, rechazo: Rechazo) -> None:
    assert decision.permitida is False, decision
    assert decision.rechazo is rechazo, decision
    assert decision.estado is None and decision.estado_tecnico is None, decision


def assert_permitida(decision, estado: str, estado_tecnico: str) -> None:
    assert decision.permitida is True, decision
    assert decision.rechazo is None, decision
    assert decision.estado is E(estado), decision
    assert decision.estado_tecnico is ET(estado_tecnico), decision


# --------------------------------------------------------------------------------------------
# Vocabulary sanity: the test tables cover every action and state the domain knows
# --------------------------------------------------------------------------------------------


def test_acciones_son_las_13_de_estado_y_las_4_de_red():
    assert len(ACCIONES_ESTADO) == 13 and len(ACCIONES_RED) == 4
    assert {a.value for a in Accion} == set(ACCIONES_ESTADO) | set(ACCIONES_RED)


def test_estados_y_tipos_son_los_del_documento():
    assert {e.value for e in E} == set(ESTADOS)
    assert {e.value for e in ET} == set(ESTADOS_TECNICOS)
    assert {t.value for t in T} == set(TIPOS)


def test_tablas_independientes_tienen_el_tamano_esperado():
    assert len(FILAS_ESTADO) == 30
    assert len(PROHIBIDAS_ESTADO) == 100
    assert len(FILAS_RED) == 12
    assert len(PROHIBIDAS_RED) == 4
    assert set(PERMISOS_REQUERIDOS) == set(ACCIONES_ESTADO) | set(ACCIONES_RED)


# --------------------------------------------------------------------------------------------
# 1. Every allowed row of the estado table
# --------------------------------------------------------------------------------------------


def _casos_filas_estado():
    for desde, accion, hacia in FILAS_ESTADO:
        for permiso in sorted(PERMISOS_REQUERIDOS[accion]):
            yield pytest.param(desde, accion, hacia, permiso, id=f"{desde}-{accion}->{hacia}[{permiso}]")


@pytest.mark.parametrize(("desde", "accion", "hacia", "permiso"), list(_casos_filas_estado()))
def test_fila_de_estado_permitida_con_el_permiso_justo(desde, accion, hacia, permiso):
    decision = evaluar(Accion(accion), situacion(desde), actor_minimo(permiso))
    assert_permitida(decision, hacia, "OK")


@pytest.mark.parametrize(
    ("desde", "accion", "hacia"),
    [pytest.param(*fila, id=f"{fila[0]}-{fila[1]}->{fila[2]}") for fila in FILAS_ESTADO],
)
def test_fila_de_estado_permitida_para_todopoderoso(desde, accion, hacia):
    assert_permitida(evaluar(Accion(accion), situacion(desde), TODOPODEROSO), hacia, "OK")


@pytest.mark.parametrize(
    ("desde", "accion", "hacia"),
    [
        pytest.param(*fila, id=f"{fila[0]}-{fila[1]}->{fila[2]}")
        for fila in FILAS_ESTADO
        if fila[1] != "finalizar"  # finalizar needs OK (see the guard tests)
    ],
)
@pytest.mark.parametrize("estado_tecnico", ["PENDIENTE_PPPoE", "PENDIENTE_PPPoE_Y_VLAN"])
def test_transicion_de_estado_no_toca_estado_tecnico(desde, accion, hacia, estado_tecnico):
    decision = evaluar(Accion(accion), situacion(desde, estado_tecnico), TODOPODEROSO)
    assert_permitida(decision, hacia, estado_tecnico)


# --------------------------------------------------------------------------------------------
# 2. Every forbidden (estado, action) pair of the main state machine
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("estado", "accion"), [pytest.param(e, a, id=f"{e}-{a}") for e, a in PROHIBIDAS_ESTADO]
)
def test_par_prohibido_de_estado_rechazado_aun_con_todos_los_permisos(estado, accion):
    decision = evaluar(Accion(accion), situacion(estado), TODOPODEROSO)
    assert_rechazo(decision, Rechazo.TRANSICION_INVALIDA)
    assert decision.motivo


@pytest.mark.parametrize("accion", ACCIONES_ESTADO)
def test_finalizado_es_terminal(accion):
    assert_rechazo(
        evaluar(Accion(accion), situacion("FINALIZADO"), TODOPODEROSO), Rechazo.TRANSICION_INVALIDA
    )


# --------------------------------------------------------------------------------------------
# 3. Network sub-state (estadoTecnico)
# --------------------------------------------------------------------------------------------


def _casos_filas_red():
    for (desde, accion, hacia), tipo, estado in itertools.product(FILAS_RED, TIPOS_CON_RED, ABIERTOS):
        yield pytest.param(
            desde, accion, hacia, tipo, estado, id=f"{desde}-{accion}->{hacia}-{tipo}-{estado}"
        )


@pytest.mark.parametrize(("desde", "accion", "hacia", "tipo", "estado"), list(_casos_filas_red()))
def test_fila_de_red_permitida_y_estado_sin_cambios(desde, accion, hacia, tipo, estado):
    decision = evaluar(Accion(accion), situacion(estado, desde, tipo), TODOPODEROSO)
    assert_permitida(decision, estado, hacia)


def _casos_filas_red_minimas():
    for desde, accion, hacia in FILAS_RED:
        for permiso in sorted(PERMISOS_REQUERIDOS[accion]):
            yield pytest.param(desde, accion, hacia, permiso, id=f"{desde}-{accion}->{hacia}[{permiso}]")


@pytest.mark.parametrize(("desde", "accion", "hacia", "permiso"), list(_casos_filas_red_minimas()))
def test_fila_de_red_permitida_con_el_permiso_justo(desde, accion, hacia, permiso):
    decision = evaluar(Accion(accion), situacion("EN_PROGRESO", desde), actor_minimo(permiso))
    assert_permitida(decision, "EN_PROGRESO", hacia)


@pytest.mark.parametrize("tipo", TIPOS_CON_RED)
@pytest.mark.parametrize(("desde", "accion"), [pytest.param(d, a, id=f"{d}-{a}") for d, a in PROHIBIDAS_RED])
def test_par_prohibido_de_red_rechazado(desde, accion, tipo):
    decision = evaluar(Accion(accion), situacion("EN_PROGRESO", desde, tipo), TODOPODEROSO)
    assert_rechazo(decision, Rechazo.TRANSICION_INVALIDA)


@pytest.mark.parametrize(
    ("desde", "accion"),
    [
        pytest.param("PENDIENTE_PPPoE", "pedir_pppoe", id="pppoe-ya-pendiente"),
        pytest.param("PENDIENTE_VLAN", "pedir_vlan", id="vlan-ya-pendiente"),
        pytest.param("PENDIENTE_PPPoE_Y_VLAN", "pedir_pppoe", id="ambos-pedir_pppoe"),
        pytest.param("PENDIENTE_PPPoE_Y_VLAN", "pedir_vlan", id="ambos-pedir_vlan"),
    ],
)
def test_pedir_lo_ya_pendiente_se_rechaza(desde, accion):
    assert (desde, accion) in PROHIBIDAS_RED
    decision = evaluar(Accion(accion), situacion("EN_PROGRESO", desde), actor("EJECUTAR_TRABAJO"))
    assert_rechazo(decision, Rechazo.TRANSICION_INVALIDA)


@pytest.mark.parametrize("tipo", TIPOS_SIN_RED)
@pytest.mark.parametrize(
    ("estado_tecnico", "accion"),
    [pytest.param(et, a, id=f"{et}-{a}") for et, a in itertools.product(ESTADOS_TECNICOS, ACCIONES_RED)],
)
def test_accion_de_red_rechazada_en_tipo_sin_red(estado_tecnico, accion, tipo):
    decision = evaluar(Accion(accion), situacion("EN_PROGRESO", estado_tecnico, tipo), TODOPODEROSO)
    assert_rechazo(decision, Rechazo.TRANSICION_INVALIDA)


@pytest.mark.parametrize("estado", CERRADOS)
@pytest.mark.parametrize(
    ("estado_tecnico", "accion"),
    [pytest.param(et, a, id=f"{et}-{a}") for et, a in itertools.product(ESTADOS_TECNICOS, ACCIONES_RED)],
)
def test_accion_de_red_rechazada_en_pendiente_cerrado(estado_tecnico, accion, estado):
    decision = evaluar(Accion(accion), situacion(estado, estado_tecnico), TODOPODEROSO)
    assert_rechazo(decision, Rechazo.TRANSICION_INVALIDA)


# --------------------------------------------------------------------------------------------
# 4. Permissions (any-of)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("accion", list(PERMISOS_REQUERIDOS))
def test_sin_ningun_permiso_de_la_regla_sin_permiso(accion):
    estado, estado_tecnico = SITUACION_VALIDA[accion]
    decision = evaluar(Accion(accion), situacion(estado, estado_tecnico), actor())
    assert_rechazo(decision, Rechazo.SIN_PERMISO)
    for permiso in PERMISOS_REQUERIDOS[accion]:
        assert permiso in decision.motivo
    assert {p.value for p in decision.permisos_requeridos} == PERMISOS_REQUERIDOS[accion]


@pytest.mark.parametrize("accion", list(PERMISOS_REQUERIDOS))
def test_con_todos_los_demas_permisos_sigue_sin_permiso(accion):
    # Every other permission except ADMINISTRAR (whose reach beyond the ownership override the
    # document does not spell out).
    otros = {p.value for p in P} - PERMISOS_REQUERIDOS[accion] - {"ADMINISTRAR"}
    estado, estado_tecnico = SITUACION_VALIDA[accion]
    decision = evaluar(Accion(accion), situacion(estado, estado_tecnico), actor(*otros))
    assert_rechazo(decision, Rechazo.SIN_PERMISO)
    for permiso in PERMISOS_REQUERIDOS[accion]:
        assert permiso in decision.motivo


def _casos_cada_permiso():
    for accion, permisos in PERMISOS_REQUERIDOS.items():
        for permiso in sorted(permisos):
            yield pytest.param(accion, permiso, id=f"{accion}[{permiso}]")


@pytest.mark.parametrize(("accion", "permiso"), list(_casos_cada_permiso()))
def test_cada_permiso_de_la_regla_basta_por_si_solo(accion, permiso):
    estado, estado_tecnico = SITUACION_VALIDA[accion]
    decision = evaluar(Accion(accion), situacion(estado, estado_tecnico), actor_minimo(permiso))
    assert decision.permitida is True, decision


@pytest.mark.parametrize(
    ("accion", "permiso", "desde", "hacia"),
    [
        pytest.param("reasignar", "ASIGNAR_TECNICO", "EN_PROGRESO", "REGISTRADO", id="reasignar-asignar"),
        pytest.param("reasignar", "EJECUTAR_TRABAJO", "EN_PROGRESO", "REGISTRADO", id="reasignar-propio"),
        pytest.param("validar", "OBSERVAR_PENDIENTE", "OBSERVADO", "POR_VALIDAR", id="validar-observar"),
        pytest.param("validar", "FINALIZAR_PENDIENTE", "OBSERVADO", "POR_VALIDAR", id="validar-finalizar"),
    ],
)
def test_filas_any_of_de_estado(accion, permiso, desde, hacia):
    assert_permitida(evaluar(Accion(accion), situacion(desde), actor(permiso)), hacia, "OK")


@pytest.mark.parametrize(
    ("accion", "permiso", "hacia"),
    [
        pytest.param("pedir_pppoe", "EJECUTAR_TRABAJO", "PENDIENTE_PPPoE", id="pppoe-propio"),
        pytest.param("pedir_pppoe", "CONFIGURAR_PPPOE", "PENDIENTE_PPPoE", id="pppoe-red"),
        pytest.param("pedir_vlan", "EJECUTAR_TRABAJO", "PENDIENTE_VLAN", id="vlan-propio"),
        pytest.param("pedir_vlan", "CONFIGURAR_VLAN", "PENDIENTE_VLAN", id="vlan-red"),
    ],
)
def test_filas_any_of_de_red(accion, permiso, hacia):
    assert_permitida(evaluar(Accion(accion), situacion("ASIGNADO"), actor(permiso)), "ASIGNADO", hacia)


# --------------------------------------------------------------------------------------------
# 5. Ownership of EJECUTAR_TRABAJO actions
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("accion", ACCIONES_DEL_TECNICO)
def test_tecnico_no_asignado_recibe_no_asignado(accion):
    estado, estado_tecnico = SITUACION_VALIDA[accion]
    s = situacion(estado, estado_tecnico, asignado_a=OTRO_TECNICO)
    decision = evaluar(Accion(accion), s, actor("EJECUTAR_TRABAJO", "VER_DETALLE", "REGISTRAR_PAGO"))
    assert_rechazo(decision, Rechazo.NO_ASIGNADO)


@pytest.mark.parametrize("accion", ACCIONES_DEL_TECNICO)
def test_tecnico_en_pendiente_sin_asignar_recibe_no_asignado(accion):
    estado, estado_tecnico = SITUACION_VALIDA[accion]
    s = situacion(estado, estado_tecnico, asignado_a=None)
    assert_rechazo(evaluar(Accion(accion), s, actor("EJECUTAR_TRABAJO")), Rechazo.NO_ASIGNADO)


@pytest.mark.parametrize("asignado_a", [None, TECNICO], ids=["sin-asignar", "asignado"])
@pytest.mark.parametrize("accion", ACCIONES_DEL_TECNICO)
def test_tecnico_sin_empleado_nunca_es_el_asignado(accion, asignado_a):
    estado, estado_tecnico = SITUACION_VALIDA[accion]
    s = situacion(estado, estado_tecnico, asignado_a=asignado_a)
    decision = evaluar(Accion(accion), s, actor("EJECUTAR_TRABAJO", empleado_id=None))
    assert_rechazo(decision, Rechazo.NO_ASIGNADO)


@pytest.mark.parametrize("asignado_a", [OTRO_TECNICO, None], ids=["de-otro", "sin-asignar"])
@pytest.mark.parametrize("accion", ACCIONES_DEL_TECNICO)
def test_administrar_sobrepasa_la_asignacion(accion, asignado_a):
    estado, estado_tecnico = SITUACION_VALIDA[accion]
    s = situacion(estado, estado_tecnico, asignado_a=asignado_a)
    decision = evaluar(Accion(accion), s, actor("EJECUTAR_TRABAJO", "ADMINISTRAR"))
    assert decision.permitida is True, decision


@pytest.mark.parametrize(
    ("accion", "otro_permiso"),
    [
        pytest.param("reasignar", "ASIGNAR_TECNICO", id="reasignar"),
        pytest.param("pedir_pppoe", "CONFIGURAR_PPPOE", id="pedir_pppoe"),
        pytest.param("pedir_vlan", "CONFIGURAR_VLAN", id="pedir_vlan"),
    ],
)
def test_no_asignado_con_la_otra_alternativa_puede(accion, otro_permiso):
    estado, estado_tecnico = SITUACION_VALIDA[accion]
    s = situacion(estado, estado_tecnico, asignado_a=OTRO_TECNICO)
    decision = evaluar(Accion(accion), s, actor("EJECUTAR_TRABAJO", otro_permiso))
    assert decision.permitida is True, decision


# --------------------------------------------------------------------------------------------
# 6. The finalizar guard
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("estado_tecnico", ["PENDIENTE_PPPoE", "PENDIENTE_VLAN", "PENDIENTE_PPPoE_Y_VLAN"])
@pytest.mark.parametrize("tipo", TIPOS_CON_RED)
def test_finalizar_bloqueado_con_red_pendiente(tipo, estado_tecnico):
    s = situacion("POR_VALIDAR", estado_tecnico, tipo, pppoe=True, vlan=True)
    decision = evaluar(Accion.FINALIZAR, s, actor("FINALIZAR_PENDIENTE"))
    assert_rechazo(decision, Rechazo.BLOQUEADO)
    assert estado_tecnico in decision.motivo


def test_finalizar_internet_sin_pppoe_ni_vlan_bloqueado():
    s = situacion("POR_VALIDAR", "OK", "INSTALACION_INTERNET")
    decision = evaluar(Accion.FINALIZAR, s, actor("FINALIZAR_PENDIENTE"))
    assert_rechazo(decision, Rechazo.BLOQUEADO)
    assert "PPPoE" in decision.motivo and "VLAN" in decision.motivo


@pytest.mark.parametrize(
    ("pppoe", "vlan"), [(True, False), (False, True), (True, True)], ids=["pppoe", "vlan", "ambos"]
)
def test_finalizar_internet_con_pppoe_o_vlan(pppoe, vlan):
    s = situacion("POR_VALIDAR", "OK", "INSTALACION_INTERNET", pppoe=pppoe, vlan=vlan)
    assert_permitida(evaluar(Accion.FINALIZAR, s, actor("FINALIZAR_PENDIENTE")), "FINALIZADO", "OK")


@pytest.mark.parametrize("tipo", ["AVERIA", "TRASLADO", "INSTALACION_CAMARAS", "RECOJO_DISPOSITIVOS"])
def test_finalizar_otros_tipos_con_ok_sin_configurar(tipo):
    s = situacion("POR_VALIDAR", "OK", tipo)
    assert_permitida(evaluar(Accion.FINALIZAR, s, actor("FINALIZAR_PENDIENTE")), "FINALIZADO", "OK")


def test_finalizar_internet_con_pppoe_pero_vlan_pendiente_bloqueado():
    s = situacion("POR_VALIDAR", "PENDIENTE_VLAN", "INSTALACION_INTERNET", pppoe=True)
    decision = evaluar(Accion.FINALIZAR, s, TODOPODEROSO)
    assert_rechazo(decision, Rechazo.BLOQUEADO)
    assert "PENDIENTE_VLAN" in decision.motivo


# --------------------------------------------------------------------------------------------
# 8. acciones_permitidas and accion_hacia
# --------------------------------------------------------------------------------------------

TECNICO_ROL = ("VER_DETALLE", "EJECUTAR_TRABAJO", "REGISTRAR_PAGO")
COORDINADORA = (
    "REGISTRAR_PENDIENTE",
    "EDITAR_PENDIENTE",
    "VER_TODOS",
    "ASIGNAR_TECNICO",
    "CANCELAR_PENDIENTE",
    "POSTERGAR_PENDIENTE",
    "GESTIONAR_CLIENTES",
    "VER_HISTORIAL",
)
ASESOR = ("VER_TODOS", "FINALIZAR_PENDIENTE", "OBSERVAR_PENDIENTE", "VER_HISTORIAL")
CONTABILIDAD = ("VER_TODOS", "REGISTRAR_PAGO", "VER_HISTORIAL")
RED = ("VER_TODOS", "CONFIGURAR_PPPOE", "CONFIGURAR_VLAN")
ADMINISTRADOR = tuple(p.value for p in P)


@pytest.mark.parametrize(
    ("permisos", "empleado_id", "sit", "esperadas"),
    [
        pytest.param(
            TECNICO_ROL,
            TECNICO,
            situacion("ASIGNADO"),
            {"comenzar", "reasignar", "pedir_pppoe", "pedir_vlan"},
            id="tecnico-asignado-ASIGNADO",
        ),
        pytest.param(
            TECNICO_ROL,
            TECNICO,
            situacion("EN_PROGRESO", tipo="INSTALACION_CAMARAS"),
            {"reasignar", "pausar", "terminar", "solicitar_revision"},
            id="tecnico-asignado-EN_PROGRESO-camaras",
        ),
        pytest.param(
            TECNICO_ROL,
            TECNICO,
            situacion("OBSERVADO", "PENDIENTE_PPPoE"),
            {"retomar", "pedir_vlan"},
            id="tecnico-asignado-OBSERVADO-pppoe-pendiente",
        ),
        pytest.param(TECNICO_ROL, OTRO_TECNICO, situacion("ASIGNADO"), set(), id="tecnico-ajeno-ASIGNADO"),
        pytest.param(
            COORDINADORA,
            2,
            situacion("REGISTRADO", asignado_a=None),
            {"asignar", "cancelar", "postergar"},
            id="coordinadora-REGISTRADO",
        ),
        pytest.param(
            COORDINADORA,
            2,
            situacion("EN_PROGRESO"),
            {"reasignar", "cancelar"},
            id="coordinadora-EN_PROGRESO",
        ),
        pytest.param(
            ASESOR, 3, situacion("POR_VALIDAR"), {"finalizar", "observar"}, id="asesor-POR_VALIDAR-OK"
        ),
        pytest.param(
            ASESOR,
            3,
            situacion("POR_VALIDAR", tipo="INSTALACION_INTERNET"),
            {"observar"},
            id="asesor-POR_VALIDAR-internet-sin-red",
        ),
        pytest.param(ASESOR, 3, situacion("REVISION"), {"validar", "observar"}, id="asesor-REVISION"),
        pytest.param(
            RED,
            8,
            situacion("EN_PROGRESO", "PENDIENTE_PPPoE"),
            {"pedir_vlan", "configurar_pppoe", "configurar_vlan"},
            id="red-EN_PROGRESO-pppoe-pendiente",
        ),
        pytest.param(CONTABILIDAD, 5, situacion("EN_PROGRESO"), set(), id="contabilidad"),
        pytest.param(ADMINISTRADOR, 1, situacion("FINALIZADO"), set(), id="admin-FINALIZADO"),
        pytest.param(ADMINISTRADOR, 1, situacion("CANCELADO"), {"postergar"}, id="admin-CANCELADO"),
    ],
)
def test_acciones_permitidas(permisos, empleado_id, sit, esperadas):
    obtenidas = acciones_permitidas(sit, actor(*permisos, empleado_id=empleado_id))
    assert {a.value for a in obtenidas} == esperadas
    assert len(obtenidas) == len(set(obtenidas))


@pytest.mark.parametrize(
    ("estado", "estado_tecnico", "tipo"),
    [
        pytest.param(e, et, t, id=f"{e}-{et}-{t}")
        for e in ESTADOS
        for et, t in [("OK", "AVERIA"), ("PENDIENTE_VLAN", "TRASLADO"), ("OK", "INSTALACION_CAMARAS")]
    ],
)
def test_acciones_permitidas_del_todopoderoso_coinciden_con_las_tablas(estado, estado_tecnico, tipo):
    esperadas = {a for (d, a) in PERMITIDAS_ESTADO if d == estado}
    if estado == "POR_VALIDAR" and estado_tecnico != "OK":
        esperadas.discard("finalizar")
    if tipo in TIPOS_CON_RED and estado not in CERRADOS:
        esperadas |= {a for (d, a) in PERMITIDAS_RED if d == estado_tecnico}
    obtenidas = acciones_permitidas(situacion(estado, estado_tecnico, tipo), TODOPODEROSO)
    assert {a.value for a in obtenidas} == esperadas


@pytest.mark.parametrize(
    ("desde", "objetivo", "esperadas"),
    [
        pytest.param("REGISTRADO", "ASIGNADO", ["asignar"], id="REGISTRADO->ASIGNADO"),
        pytest.param("FINALIZADO", "CANCELADO", [], id="FINALIZADO->CANCELADO"),
        pytest.param("ASIGNADO", "ASIGNADO", ["asignar"], id="ASIGNADO->ASIGNADO"),
        pytest.param("PAUSADO", "EN_PROGRESO", ["continuar"], id="PAUSADO->EN_PROGRESO"),
        pytest.param("OBSERVADO", "EN_PROGRESO", ["retomar"], id="OBSERVADO->EN_PROGRESO"),
        pytest.param("CANCELADO", "POSTERGADO", ["postergar"], id="CANCELADO->POSTERGADO"),
        pytest.param("REGISTRADO", "FINALIZADO", [], id="REGISTRADO->FINALIZADO"),
    ],
)
def test_accion_hacia_ejemplos(desde, objetivo, esperadas):
    assert [a.value for a in accion_hacia(situacion(desde), E(objetivo))] == esperadas


@pytest.mark.parametrize(
    ("desde", "objetivo"),
    [pytest.param(d, o, id=f"{d}->{o}") for d, o in itertools.product(ESTADOS, ESTADOS)],
)
def test_accion_hacia_todos_los_pares(desde, objetivo):
    esperadas = sorted(a for (d, a), h in PERMITIDAS_ESTADO.items() if d == desde and h == objetivo)
    assert sorted(a.value for a in accion_hacia(situacion(desde), E(objetivo))) == esperadas
