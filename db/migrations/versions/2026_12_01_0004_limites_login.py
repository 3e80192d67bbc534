"""Login limits per client address, per (DNI, address) and per DNI in one table of counters; and a
NOTIFY when a user's credentials change, so open WebSockets close as that user's tokens stop working.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Payload: the user's id, or "*" when a role changed (every user holding it is affected).
CANAL = "credenciales"


def upgrade() -> None:
    # The counters are short-lived (minutes): the old per-DNI rows are dropped, not migrated.
    op.drop_table("intentos_login")
    op.create_table(
        "intentos_login",
        sa.Column("ambito", sa.String(length=10), nullable=False),
        sa.Column("clave", sa.String(length=100), nullable=False),
        sa.Column("fallos", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("ultimo", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("ambito", "clave", name=op.f("pk_intentos_login")),
    )
    op.create_index(op.f("ix_intentos_login_ultimo"), "intentos_login", ["ultimo"])
    op.execute(f"""
        CREATE FUNCTION avisar_credenciales() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_TABLE_NAME = 'usuarios' THEN
                PERFORM pg_notify('{CANAL}', OLD.id::text);
            ELSE
                PERFORM pg_notify('{CANAL}', '*');
            END IF;
            RETURN NULL;
        END $$
    """)
    op.execute("""
        CREATE TRIGGER credenciales_usuario AFTER UPDATE ON usuarios FOR EACH ROW
        WHEN (OLD.password_hash IS DISTINCT FROM NEW.password_hash OR OLD.vigente IS DISTINCT FROM NEW.vigente
              OR OLD.rol_id IS DISTINCT FROM NEW.rol_id)
        EXECUTE FUNCTION avisar_credenciales()
    """)
    op.execute("""
        CREATE TRIGGER credenciales_usuario_borrado AFTER DELETE ON usuarios FOR EACH ROW
        EXECUTE FUNCTION avisar_credenciales()
    """)
    op.execute("""
        CREATE TRIGGER credenciales_rol AFTER UPDATE ON roles FOR EACH ROW
        WHEN (OLD.vigente IS DISTINCT FROM NEW.vigente)
        EXECUTE FUNCTION avisar_credenciales()
    """)


def downgrade() -> None:
    op.execute("DROP TRIGGER credenciales_rol ON roles")
    op.execute("DROP TRIGGER credenciales_usuario_borrado ON usuarios")
    op.execute("DROP TRIGGER credenciales_usuario ON usuarios")
    op.execute("DROP FUNCTION avisar_credenciales()")
    op.drop_index(op.f("ix_intentos_login_ultimo"), table_name="intentos_login")
    op.drop_table("intentos_login")
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
