"""The resolution clock of each pendiente (SLA by priority).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ESTADOS_SLA = ("EN_PLAZO", "EN_RIESGO", "INCUMPLIDO")
# eventos.tipo as revision 0005 left it; this one adds the SLA escalations after "pendiente.vencido"
# (revisions never import the code: it moves on).
EVENTOS_0005 = (
    "pendiente.creado",
    "pendiente.asignado",
    "pendiente.reasignado",
    "pendiente.comenzado",
    "pendiente.pausado",
    "pendiente.continuado",
    "pendiente.terminado",
    "pendiente.revision_solicitada",
    "pendiente.validado",
    "pendiente.observado",
    "pendiente.retomado",
    "pendiente.finalizado",
    "pendiente.cancelado",
    "pendiente.postergado",
    "pendiente.pppoe_pedido",
    "pendiente.vlan_pedida",
    "pendiente.pppoe_configurado",
    "pendiente.vlan_configurada",
    "pendiente.reactivado",
    "pendiente.vencido",
    "pendiente.editado",
    "pendiente.detalle_guardado",
    "pendiente.etiquetado",
    "pendiente.eliminado",
    "pago.registrado",
    "pago.modificado",
    "pago.anulado",
    "nota.creada",
    "nota.modificada",
    "nota.eliminada",
    "cliente.creado",
    "cliente.modificado",
    "cliente.eliminado",
    "webhook.ping",
)
EVENTOS_SLA = ("pendiente.sla_en_riesgo", "pendiente.sla_incumplido")
_TRAS = EVENTOS_0005.index("pendiente.vencido") + 1
EVENTOS_0007 = EVENTOS_0005[:_TRAS] + EVENTOS_SLA + EVENTOS_0005[_TRAS:]


def _en(columna: str, valores: Sequence[str]) -> str:
    return "{} IN ({})".format(columna, ", ".join(f"'{v}'" for v in valores))


def _cambiar_check_de_eventos(condicion: str) -> None:
    op.drop_constraint(op.f("ck_eventos_tipo"), "eventos", type_="check")
    op.create_check_constraint(op.f("ck_eventos_tipo"), "eventos", condicion)


def upgrade() -> None:
    op.add_column("pendientes", sa.Column("estado_sla", sa.String(length=50), nullable=True))
    op.add_column("pendientes", sa.Column("sla_plazo_seg", sa.Integer(), nullable=True))
    op.add_column("pendientes", sa.Column("sla_consumido_seg", sa.Integer(), nullable=True))
    op.add_column("pendientes", sa.Column("sla_desde", sa.DateTime(timezone=True), nullable=True))
    op.add_column("pendientes", sa.Column("sla_vence", sa.DateTime(timezone=True), nullable=True))
    op.add_column("pendientes", sa.Column("sla_nivel", sa.SmallInteger(), nullable=True))
    op.create_check_constraint(op.f("ck_pendientes_estado_sla"), "pendientes", _en("estado_sla", ESTADOS_SLA))
    op.create_index(op.f("ix_pendientes_estado_sla"), "pendientes", ["estado_sla"])
    op.create_index(op.f("ix_pendientes_sla_vence"), "pendientes", ["sla_vence"])
    _cambiar_check_de_eventos(_en("tipo", EVENTOS_0007))


def downgrade() -> None:
    op.execute(
        sa.text("DELETE FROM eventos WHERE tipo IN ('pendiente.sla_en_riesgo', 'pendiente.sla_incumplido')")
    )
    _cambiar_check_de_eventos(_en("tipo", EVENTOS_0005))
    op.drop_index(op.f("ix_pendientes_sla_vence"), table_name="pendientes")
    op.drop_index(op.f("ix_pendientes_estado_sla"), table_name="pendientes")
    op.drop_constraint(op.f("ck_pendientes_estado_sla"), "pendientes", type_="check")
    for columna in (
        "sla_nivel",
        "sla_vence",
        "sla_desde",
        "sla_consumido_seg",
        "sla_plazo_seg",
        "estado_sla",
    ):
        op.drop_column("pendientes", columna)
