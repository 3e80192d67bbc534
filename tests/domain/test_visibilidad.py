"""The one visibility rule, role by role, against expectations written from product-decisions.md and
the behaviour the API had before the rule was centralised (hand-typed, not derived from ALCANCES)."""

from __future__ import annotations

import pytest

from domain.permisos import ROLES_DEMO
from domain.visibilidad import ALCANCES, Recurso, Vinculo

R, A, AU, D = Vinculo.REGISTRO, Vinculo.ASIGNACION, Vinculo.AUTORIA, Vinculo.DESTINATARIO
NINGUNO: frozenset[Vinculo] = frozenset()
ROLES_CON_VER_TODOS = ("administrador", "coordinadora", "asesor", "atencion-cliente", "contabilidad", "red")

CASOS = [
    # A technician sees the pendientes they registered or hold, nothing else; everybody else sees all.
    *[(rol, Recurso.PENDIENTE, NINGUNO, True) for rol in ROLES_CON_VER_TODOS],
    ("tecnico", Recurso.PENDIENTE, NINGUNO, False),
    ("tecnico", Recurso.PENDIENTE, {R}, True),
    ("tecnico", Recurso.PENDIENTE, {A}, True),
    ("tecnico", Recurso.PENDIENTE, {AU}, False),
    # Clients: the technician only those of their own pendientes.
    *[(rol, Recurso.CLIENTE, NINGUNO, True) for rol in ROLES_CON_VER_TODOS],
    ("tecnico", Recurso.CLIENTE, NINGUNO, False),
    ("tecnico", Recurso.CLIENTE, {A}, True),
    # Payments: whoever registered one keeps seeing it.
    ("tecnico", Recurso.PAGO, {AU}, True),
    ("tecnico", Recurso.PAGO, {R}, True),
    ("tecnico", Recurso.PAGO, NINGUNO, False),
    ("contabilidad", Recurso.PAGO, NINGUNO, True),
    # The PPPoE password in clear: the network team, and whoever is assigned.
    ("red", Recurso.PASSWORD_PPPOE, NINGUNO, True),
    ("administrador", Recurso.PASSWORD_PPPOE, NINGUNO, True),
    ("tecnico", Recurso.PASSWORD_PPPOE, {A}, True),
    ("tecnico", Recurso.PASSWORD_PPPOE, {R}, False),
    ("coordinadora", Recurso.PASSWORD_PPPOE, NINGUNO, False),
    ("coordinadora", Recurso.PASSWORD_PPPOE, {A}, True),
    ("asesor", Recurso.PASSWORD_PPPOE, NINGUNO, False),
    # Items: editors, accounting and admins on any pendiente; REGISTRAR_PAGO lets a technician too.
    ("coordinadora", Recurso.ITEMS, NINGUNO, True),
    ("contabilidad", Recurso.ITEMS, NINGUNO, True),
    ("tecnico", Recurso.ITEMS, NINGUNO, True),
    ("asesor", Recurso.ITEMS, NINGUNO, False),
    ("red", Recurso.ITEMS, {A}, False),
    # Work sessions: a technician their own time on their own pendiente (both links), dispatch anyone's.
    ("tecnico", Recurso.TIEMPO, {AU, A}, True),
    ("tecnico", Recurso.TIEMPO, {A}, False),
    ("tecnico", Recurso.TIEMPO, {AU}, False),
    ("coordinadora", Recurso.TIEMPO, NINGUNO, True),
    ("asesor", Recurso.TIEMPO, {AU, A}, False),
    # Changing a note or a payment: its author or an administrator.
    ("tecnico", Recurso.CAMBIAR_NOTA, {AU}, True),
    ("coordinadora", Recurso.CAMBIAR_NOTA, {R, A}, False),
    ("administrador", Recurso.CAMBIAR_NOTA, NINGUNO, True),
    ("contabilidad", Recurso.CAMBIAR_PAGO, {AU}, True),
    ("tecnico", Recurso.CAMBIAR_PAGO, {A}, False),
    # Notifications: the addressee or an administrator.
    ("tecnico", Recurso.NOTIFICACION, {D}, True),
    ("coordinadora", Recurso.NOTIFICACION, NINGUNO, False),
    ("administrador", Recurso.NOTIFICACION, NINGUNO, True),
]


@pytest.mark.parametrize(("rol", "recurso", "vinculos", "esperado"), CASOS)
def test_alcance_por_rol(rol: str, recurso: Recurso, vinculos: frozenset[Vinculo], esperado: bool) -> None:
    permisos = ROLES_DEMO[rol][1]
    assert ALCANCES[recurso].alcanza(permisos, vinculos) is esperado


def test_sin_permisos_solo_alcanzan_los_vinculos_que_no_piden_permiso() -> None:
    assert ALCANCES[Recurso.PENDIENTE].alcanza(frozenset(), {R, A, AU, D}) is False
    assert ALCANCES[Recurso.NOTIFICACION].alcanza(frozenset(), {D}) is True
    assert ALCANCES[Recurso.PAGO].alcanza(frozenset(), {AU}) is True


def test_cada_recurso_tiene_su_regla_y_una_explicacion_para_el_403() -> None:
    assert set(ALCANCES) == set(Recurso)
    assert all(alcance.explicacion for alcance in ALCANCES.values())
