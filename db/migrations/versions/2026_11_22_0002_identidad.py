"""Identity: failed logins per DNI (known or not), deletion marked apart from deactivation.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intentos_login",
        sa.Column("dni", sa.String(length=20), nullable=False),
        sa.Column("fallos", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "ultimo_fallo", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("bloqueado_hasta", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("dni", name=op.f("pk_intentos_login")),
    )
    # The lockout now lives in intentos_login, so unknown DNIs are counted like known ones.
    op.drop_column("usuarios", "intentos_fallidos")
    op.drop_column("usuarios", "bloqueado_hasta")
    # usuarios.vigente and modulos.vigente are the API's `activo`; deletion needs its own mark.
    for table in ("usuarios", "modulos"):
        op.add_column(table, sa.Column("eliminado_en", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in ("usuarios", "modulos"):
        op.drop_column(table, "eliminado_en")
    op.add_column(
        "usuarios",
        sa.Column("intentos_fallidos", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    op.add_column("usuarios", sa.Column("bloqueado_hasta", sa.DateTime(timezone=True), nullable=True))
    op.drop_table("intentos_login")
