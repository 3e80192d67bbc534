"""Changes identified by more than their seq (cambio_id + huella), the reconciler's findings, and the
key that signs who asks for a change.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("historiales", sa.Column("cambio_id", sa.String(length=300), nullable=True))
    op.add_column("historiales", sa.Column("huella", sa.String(length=64), nullable=True))
    op.create_unique_constraint(
        op.f("uq_historiales_pendiente_id_cambio_id"), "historiales", ["pendiente_id", "cambio_id"]
    )
    op.create_table(
        "reconciliaciones",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("pendiente_id", sa.BigInteger(), nullable=True),
        sa.Column("tipo", sa.String(length=50), nullable=False),
        sa.Column("detalle", sa.String(length=1000), nullable=False),
        sa.Column("reparado", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "fecha_creacion", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliaciones")),
    )
    op.create_index(op.f("ix_reconciliaciones_fecha_creacion"), "reconciliaciones", ["fecha_creacion"])
    op.create_table(
        "claves_firma",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clave", sa.LargeBinary(), nullable=False),
        sa.Column("creada_en", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claves_firma")),
    )


def downgrade() -> None:
    op.drop_table("claves_firma")
    op.drop_index(op.f("ix_reconciliaciones_fecha_creacion"), table_name="reconciliaciones")
    op.drop_table("reconciliaciones")
    op.drop_constraint(op.f("uq_historiales_pendiente_id_cambio_id"), "historiales", type_="unique")
    op.drop_column("historiales", "huella")
    op.drop_column("historiales", "cambio_id")
