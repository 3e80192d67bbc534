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


def upgrade() -> None:
    op.add_column("pendientes", sa.Column("estado_sla", sa.String(length=50), nullable=True))
    op.add_column("pendientes", sa.Column("sla_plazo_seg", sa.Integer(), nullable=True))
    op.add_column("pendientes", sa.Column("sla_consumido_seg", sa.Integer(), nullable=True))
    op.add_column("pendientes", sa.Column("sla_desde", sa.DateTime(timezone=True), nullable=True))
    op.add_column("pendientes", sa.Column("sla_vence", sa.DateTime(timezone=True), nullable=True))
    op.add_column("pendientes", sa.Column("sla_nivel", sa.SmallInteger(), nullable=True))
    valores = ", ".join(f"'{v}'" for v in ESTADOS_SLA)
    op.create_check_constraint(op.f("ck_pendientes_estado_sla"), "pendientes", f"estado_sla IN ({valores})")
    op.create_index(op.f("ix_pendientes_estado_sla"), "pendientes", ["estado_sla"])
    op.create_index(op.f("ix_pendientes_sla_vence"), "pendientes", ["sla_vence"])


def downgrade() -> None:
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
