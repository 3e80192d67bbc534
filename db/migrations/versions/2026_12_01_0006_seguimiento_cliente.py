"""The customer's tracking links.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "enlaces_seguimiento",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("pendiente_id", sa.BigInteger(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_cifrado", sa.Text(), nullable=False),
        sa.Column("creado_por", sa.BigInteger(), nullable=True),
        sa.Column(
            "fecha_creacion", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("revocado_en", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["pendiente_id"], ["pendientes.id"], name=op.f("fk_enlaces_seguimiento_pendiente_id_pendientes")
        ),
        sa.ForeignKeyConstraint(
            ["creado_por"], ["usuarios.id"], name=op.f("fk_enlaces_seguimiento_creado_por_usuarios")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enlaces_seguimiento")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_enlaces_seguimiento_token_hash")),
    )
    op.create_index(op.f("ix_enlaces_seguimiento_pendiente_id"), "enlaces_seguimiento", ["pendiente_id"])


def downgrade() -> None:
    op.drop_table("enlaces_seguimiento")
