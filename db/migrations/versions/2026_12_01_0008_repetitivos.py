"""Repeating work orders: templates with their calendar rule, occurrence reservations, and the link
from each pendiente to the template that created it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIPOS = ("AVERIA", "INSTALACION_INTERNET", "INSTALACION_CAMARAS", "RECOJO_DISPOSITIVOS", "TRASLADO")
LUGARES = (
    "ZONA_RURAL",
    "JULIACA",
    "PUNO",
    "CHUCUITO",
    "PLATERIA",
    "ACORA",
    "ILAVE",
    "JULI",
    "POMATA",
    "CHACACHACA",
    "YONGUYO",
    "ZEPITA",
    "DESAGUADERO",
)
PRIORIDADES = ("BAJA", "MEDIA", "URGENTE", "MUY_URGENTE")
EMPRESAS = ("SIMAX", "WINEX", "OTRO")
FRECUENCIAS = ("DIARIA", "SEMANAL", "MENSUAL")


def _en(columna: str, valores: tuple[str, ...]) -> sa.CheckConstraint:
    lista = ", ".join(f"'{v}'" for v in valores)
    return sa.CheckConstraint(f"{columna} IN ({lista})", name=op.f(f"ck_repetitivos_{columna}"))


def upgrade() -> None:
    op.create_table(
        "repetitivos",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("nombre", sa.String(length=100), nullable=False),
        sa.Column("tipo", sa.String(length=50), nullable=False),
        sa.Column("cliente_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "detalle",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("prioridad", sa.String(length=50), nullable=False),
        sa.Column("lugar", sa.String(length=50), nullable=False),
        sa.Column("empresa", sa.String(length=50), nullable=True),
        sa.Column("direccion", sa.String(length=200), nullable=True),
        sa.Column("tecnico_id", sa.BigInteger(), nullable=True),
        sa.Column("registrado_por", sa.BigInteger(), nullable=False),
        sa.Column("creado_por", sa.BigInteger(), nullable=True),
        sa.Column("frecuencia", sa.String(length=50), nullable=False),
        sa.Column("cada", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "dias_semana",
            postgresql.ARRAY(sa.SmallInteger()),
            server_default=sa.text("'{}'::smallint[]"),
            nullable=False,
        ),
        sa.Column(
            "dias_mes",
            postgresql.ARRAY(sa.SmallInteger()),
            server_default=sa.text("'{}'::smallint[]"),
            nullable=False,
        ),
        sa.Column("hora", sa.Time(), nullable=False),
        sa.Column("fecha_inicio", sa.Date(), nullable=False),
        sa.Column("fecha_fin", sa.Date(), nullable=True),
        sa.Column("pausado", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("nota", sa.Text(), nullable=True),
        sa.Column(
            "fecha_creacion", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("fecha_modificacion", sa.DateTime(timezone=True), nullable=True),
        sa.Column("vigente", sa.Boolean(), server_default=sa.true(), nullable=False),
        _en("tipo", TIPOS),
        _en("lugar", LUGARES),
        _en("prioridad", PRIORIDADES),
        _en("empresa", EMPRESAS),
        _en("frecuencia", FRECUENCIAS),
        sa.CheckConstraint("cada >= 1", name=op.f("ck_repetitivos_cada")),
        sa.CheckConstraint(
            "fecha_fin IS NULL OR fecha_fin >= fecha_inicio", name=op.f("ck_repetitivos_fechas")
        ),
        sa.ForeignKeyConstraint(
            ["cliente_id"], ["clientes.id"], name=op.f("fk_repetitivos_cliente_id_clientes")
        ),
        sa.ForeignKeyConstraint(
            ["tecnico_id"], ["empleados.id"], name=op.f("fk_repetitivos_tecnico_id_empleados")
        ),
        sa.ForeignKeyConstraint(
            ["registrado_por"], ["empleados.id"], name=op.f("fk_repetitivos_registrado_por_empleados")
        ),
        sa.ForeignKeyConstraint(
            ["creado_por"], ["usuarios.id"], name=op.f("fk_repetitivos_creado_por_usuarios")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repetitivos")),
    )
    op.create_index(op.f("ix_repetitivos_cliente_id"), "repetitivos", ["cliente_id"])
    op.create_table(
        "ocurrencias_repetitivo",
        sa.Column("repetitivo_id", sa.BigInteger(), nullable=False),
        sa.Column("programada", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pendiente_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "fecha_creacion", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["repetitivo_id"],
            ["repetitivos.id"],
            name=op.f("fk_ocurrencias_repetitivo_repetitivo_id_repetitivos"),
        ),
        sa.PrimaryKeyConstraint("repetitivo_id", "programada", name=op.f("pk_ocurrencias_repetitivo")),
        sa.UniqueConstraint("pendiente_id", name=op.f("uq_ocurrencias_repetitivo_pendiente_id")),
    )
    op.add_column("pendientes", sa.Column("repetitivo_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_pendientes_repetitivo_id_repetitivos"),
        "pendientes",
        "repetitivos",
        ["repetitivo_id"],
        ["id"],
    )
    op.create_index(op.f("ix_pendientes_repetitivo_id"), "pendientes", ["repetitivo_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_pendientes_repetitivo_id"), table_name="pendientes")
    op.drop_constraint(op.f("fk_pendientes_repetitivo_id_repetitivos"), "pendientes", type_="foreignkey")
    op.drop_column("pendientes", "repetitivo_id")
    op.drop_table("ocurrencias_repetitivo")
    op.drop_table("repetitivos")
