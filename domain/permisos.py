"""The permission vocabulary and the demo roles (product-decisions.md, Permissions)."""

from enum import StrEnum


class Permiso(StrEnum):
    REGISTRAR_PENDIENTE = "REGISTRAR_PENDIENTE"
    EDITAR_PENDIENTE = "EDITAR_PENDIENTE"
    VER_DETALLE = "VER_DETALLE"
    VER_TODOS = "VER_TODOS"
    ASIGNAR_TECNICO = "ASIGNAR_TECNICO"
    EJECUTAR_TRABAJO = "EJECUTAR_TRABAJO"
    CONFIGURAR_PPPOE = "CONFIGURAR_PPPOE"
    CONFIGURAR_VLAN = "CONFIGURAR_VLAN"
    CANCELAR_PENDIENTE = "CANCELAR_PENDIENTE"
    POSTERGAR_PENDIENTE = "POSTERGAR_PENDIENTE"
    FINALIZAR_PENDIENTE = "FINALIZAR_PENDIENTE"
    OBSERVAR_PENDIENTE = "OBSERVAR_PENDIENTE"
    REGISTRAR_PAGO = "REGISTRAR_PAGO"
    VER_HISTORIAL = "VER_HISTORIAL"
    GESTIONAR_CLIENTES = "GESTIONAR_CLIENTES"
    ADMINISTRAR = "ADMINISTRAR"


P = Permiso

# Role id (immutable slug) -> (display name, permissions). The display name is the JWT `rol` claim.
ROLES_DEMO: dict[str, tuple[str, frozenset[Permiso]]] = {
    "administrador": ("Administrador", frozenset(Permiso)),
    "coordinadora": (
        "Coordinadora",
        frozenset(
            {
                P.REGISTRAR_PENDIENTE,
                P.EDITAR_PENDIENTE,
                P.VER_TODOS,
                P.ASIGNAR_TECNICO,
                P.CANCELAR_PENDIENTE,
                P.POSTERGAR_PENDIENTE,
                P.GESTIONAR_CLIENTES,
                P.VER_HISTORIAL,
            }
        ),
    ),
    "asesor": (
        "Asesor",
        frozenset({P.VER_TODOS, P.FINALIZAR_PENDIENTE, P.OBSERVAR_PENDIENTE, P.VER_HISTORIAL}),
    ),
    "atencion-cliente": (
        "Atención al Cliente",
        frozenset({P.REGISTRAR_PENDIENTE, P.VER_TODOS, P.GESTIONAR_CLIENTES}),
    ),
    "contabilidad": ("Contabilidad", frozenset({P.VER_TODOS, P.REGISTRAR_PAGO, P.VER_HISTORIAL})),
    "tecnico": ("Tecnico", frozenset({P.VER_DETALLE, P.EJECUTAR_TRABAJO, P.REGISTRAR_PAGO})),
    "red": ("Red", frozenset({P.VER_TODOS, P.CONFIGURAR_PPPOE, P.CONFIGURAR_VLAN})),
}
