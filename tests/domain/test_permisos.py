"""The permission vocabulary and the demo roles against product-decisions.md (Permissions).

The expected sets are typed here from the document, never read from the domain module.
"""

from __future__ import annotations

import pytest

from domain.permisos import ROLES_DEMO, Permiso

VOCABULARIO = {
    "REGISTRAR_PENDIENTE",
    "EDITAR_PENDIENTE",
    "VER_DETALLE",
    "VER_TODOS",
    "ASIGNAR_TECNICO",
    "EJECUTAR_TRABAJO",
    "CONFIGURAR_PPPOE",
    "CONFIGURAR_VLAN",
    "CANCELAR_PENDIENTE",
    "POSTERGAR_PENDIENTE",
    "FINALIZAR_PENDIENTE",
    "OBSERVAR_PENDIENTE",
    "REGISTRAR_PAGO",
    "VER_HISTORIAL",
    "GESTIONAR_CLIENTES",
    "ADMINISTRAR",
}

# Display name (JWT `rol`) -> permissions, as product-decisions.md lists them.
ROLES_ESPERADOS: dict[str, set[str]] = {
    "Administrador": set(VOCABULARIO),
    "Coordinadora": {
        "REGISTRAR_PENDIENTE",
        "EDITAR_PENDIENTE",
        "VER_TODOS",
        "ASIGNAR_TECNICO",
        "CANCELAR_PENDIENTE",
        "POSTERGAR_PENDIENTE",
        "GESTIONAR_CLIENTES",
        "VER_HISTORIAL",
    },
    "Asesor": {"VER_TODOS", "FINALIZAR_PENDIENTE", "OBSERVAR_PENDIENTE", "VER_HISTORIAL"},
    "Atención al Cliente": {"REGISTRAR_PENDIENTE", "VER_TODOS", "GESTIONAR_CLIENTES"},
    "Contabilidad": {"VER_TODOS", "REGISTRAR_PAGO", "VER_HISTORIAL"},
    "Tecnico": {"VER_DETALLE", "EJECUTAR_TRABAJO", "REGISTRAR_PAGO"},
    "Red": {"VER_TODOS", "CONFIGURAR_PPPOE", "CONFIGURAR_VLAN"},
}


def _roles_por_nombre() -> dict[str, frozenset[Permiso]]:
    return {nombre: permisos for nombre, permisos in ROLES_DEMO.values()}


def test_vocabulario_tiene_exactamente_los_16_nombres():
    assert len(VOCABULARIO) == 16
    assert {p.value for p in Permiso} == VOCABULARIO
    assert len(list(Permiso)) == 16


@pytest.mark.parametrize("nombre", sorted(VOCABULARIO))
def test_cada_permiso_se_guarda_por_su_nombre(nombre):
    assert Permiso(nombre).value == nombre
    assert Permiso[nombre].value == nombre


def test_pppoe_escrito_correctamente():
    assert not any("PPOE" in p.value.replace("PPPOE", "") for p in Permiso)


def test_roles_demo_son_exactamente_los_siete():
    nombres = [nombre for nombre, _ in ROLES_DEMO.values()]
    assert len(nombres) == len(set(nombres))
    assert set(nombres) == set(ROLES_ESPERADOS)


@pytest.mark.parametrize("rol", list(ROLES_ESPERADOS))
def test_rol_demo_tiene_exactamente_sus_permisos(rol):
    roles = _roles_por_nombre()
    assert rol in roles
    assert {p.value for p in roles[rol]} == ROLES_ESPERADOS[rol]


@pytest.mark.parametrize("rol", list(ROLES_ESPERADOS))
def test_permisos_de_rol_son_del_vocabulario(rol):
    permisos = _roles_por_nombre()[rol]
    assert all(isinstance(p, Permiso) for p in permisos)
