"""Who reaches which rows: one table, from which the API derives both the per-row check and the SQL
filter of its lists (api/comun/visibilidad.py). Every "may this caller see or touch this row" of the
product is an entry here; no feature writes its own.

A row is linked to the caller by `Vinculo`s (they registered its pendiente, they are its technician,
they wrote it, it is addressed to them). An `Alcance` says which permissions reach every row, which
permissions reach the rows linked to the caller (and by which links), and which links reach a row
without any permission."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from domain.permisos import Permiso

P = Permiso


class Vinculo(StrEnum):
    REGISTRO = "registro"  # the caller registered the pendiente
    ASIGNACION = "asignacion"  # the caller is the pendiente's technician
    AUTORIA = "autoria"  # the caller wrote the row (a nota, a pago, a work session)
    DESTINATARIO = "destinatario"  # the row is addressed to the caller's user (a notificación)


@dataclass(frozen=True)
class Alcance:
    """`todos`: any of these permissions reaches every row. `propios`: a permission that reaches the rows
    linked to the caller by any of its links (all of them when `todos_los_vinculos`). `sin_permiso`:
    links that reach a row whatever the caller's permissions."""

    todos: frozenset[Permiso]
    propios: Mapping[Permiso, frozenset[Vinculo]] = field(default_factory=dict)
    sin_permiso: frozenset[Vinculo] = frozenset()
    todos_los_vinculos: bool = False
    # Named in a 403, so the caller learns what would have let them through.
    explicacion: str = ""

    def alcanza(self, permisos: Iterable[Permiso], vinculos: Iterable[Vinculo]) -> bool:
        requisitos = self.vinculos_suficientes(permisos)
        if requisitos is None:
            return True
        presentes = frozenset(vinculos)
        return any(requisito <= presentes for requisito in requisitos)

    def vinculos_suficientes(self, permisos: Iterable[Permiso]) -> list[frozenset[Vinculo]] | None:
        """None: the caller reaches every row. Otherwise the link sets, any one of which (all of its links
        present) makes a row reachable; an empty list reaches nothing."""
        permisos = frozenset(permisos)
        if permisos & self.todos:
            return None
        requisitos = [frozenset({v}) for v in self.sin_permiso]
        for permiso, vinculos in self.propios.items():
            if permiso not in permisos or not vinculos:
                continue
            if self.todos_los_vinculos:
                requisitos.append(frozenset(vinculos))
            else:
                requisitos.extend(frozenset({v}) for v in vinculos)
        return list(dict.fromkeys(requisitos))

    def permisos_que_alcanzan(self) -> list[Permiso]:
        """For a 403: the permissions reaching every row first, then those reaching one's own."""
        todos = sorted(self.todos, key=list(Permiso).index)
        return todos + [p for p in self.propios if p not in self.todos]


PROPIO = frozenset({Vinculo.REGISTRO, Vinculo.ASIGNACION})
ASIGNADO = frozenset({Vinculo.ASIGNACION})


class Recurso(StrEnum):
    PENDIENTE = "pendiente"  # read a pendiente, and everything hanging from it (detalle, notas, items...)
    CLIENTE = "cliente"  # read a client
    PAGO = "pago"  # read a payment
    PASSWORD_PPPOE = "password_pppoe"  # read the PPPoE password in clear
    ITEMS = "items"  # add, change or remove the items (materials) of a pendiente
    TIEMPO = "tiempo"  # record or change a work session
    CAMBIAR_NOTA = "cambiar_nota"  # edit or delete a note
    CAMBIAR_PAGO = "cambiar_pago"  # edit or annul a payment
    NOTIFICACION = "notificacion"  # read or mark a notification


ALCANCES: dict[Recurso, Alcance] = {
    Recurso.PENDIENTE: Alcance(
        todos=frozenset({P.VER_TODOS}),
        propios={P.VER_DETALLE: PROPIO},
        explicacion="solo puede ver sus propios pendientes (VER_DETALLE) o todos (VER_TODOS)",
    ),
    # Registering a pendiente means picking any client; a technician sees the clients of their work.
    Recurso.CLIENTE: Alcance(
        todos=frozenset({P.VER_TODOS, P.GESTIONAR_CLIENTES, P.REGISTRAR_PENDIENTE}),
        propios={P.VER_DETALLE: PROPIO, P.REGISTRAR_PAGO: PROPIO},
        explicacion="solo puede ver los clientes de sus pendientes (VER_DETALLE) o todos (VER_TODOS)",
    ),
    # Whoever registered a payment keeps seeing it, even after the pendiente changed hands.
    Recurso.PAGO: Alcance(
        todos=frozenset({P.VER_TODOS}),
        propios={P.VER_DETALLE: PROPIO},
        sin_permiso=frozenset({Vinculo.AUTORIA}),
        explicacion="solo puede ver los pagos que registró o los de sus pendientes (VER_DETALLE)",
    ),
    Recurso.PASSWORD_PPPOE: Alcance(
        todos=frozenset({P.CONFIGURAR_PPPOE}),
        sin_permiso=ASIGNADO,
        explicacion="solo la red (CONFIGURAR_PPPOE) y el técnico asignado ven la contraseña PPPoE",
    ),
    Recurso.ITEMS: Alcance(
        todos=frozenset({P.EDITAR_PENDIENTE, P.REGISTRAR_PAGO, P.ADMINISTRAR}),
        propios={P.EJECUTAR_TRABAJO: ASIGNADO},
        explicacion=(
            "solo el técnico asignado (EJECUTAR_TRABAJO), EDITAR_PENDIENTE, REGISTRAR_PAGO o ADMINISTRAR"
            " registran ítems"
        ),
    ),
    # A technician records only their own time on their own pendiente; dispatch and admins anyone's.
    Recurso.TIEMPO: Alcance(
        todos=frozenset({P.ASIGNAR_TECNICO, P.ADMINISTRAR}),
        propios={P.EJECUTAR_TRABAJO: frozenset({Vinculo.AUTORIA, Vinculo.ASIGNACION})},
        todos_los_vinculos=True,
        explicacion="solo el técnico asignado registra su tiempo (o ASIGNAR_TECNICO)",
    ),
    Recurso.CAMBIAR_NOTA: Alcance(
        todos=frozenset({P.ADMINISTRAR}),
        sin_permiso=frozenset({Vinculo.AUTORIA}),
        explicacion="solo el autor de la nota o un administrador pueden cambiarla",
    ),
    # A technician must not rewrite what accounting registered on their pendiente.
    Recurso.CAMBIAR_PAGO: Alcance(
        todos=frozenset({P.ADMINISTRAR}),
        sin_permiso=frozenset({Vinculo.AUTORIA}),
        explicacion="solo quien registró el pago o un administrador pueden cambiarlo o anularlo",
    ),
    Recurso.NOTIFICACION: Alcance(
        todos=frozenset({P.ADMINISTRAR}),
        sin_permiso=frozenset({Vinculo.DESTINATARIO}),
        explicacion="solo el destinatario o un administrador ven una notificación",
    ),
}


def vinculos_con_pendiente(
    empleado_id: int | None, registrado_por: int | None, asignado_a: int | None
) -> set[Vinculo]:
    """The links between an employee and a pendiente's row."""
    if empleado_id is None:
        return set()
    vinculos = set()
    if registrado_por == empleado_id:
        vinculos.add(Vinculo.REGISTRO)
    if asignado_a == empleado_id:
        vinculos.add(Vinculo.ASIGNACION)
    return vinculos
