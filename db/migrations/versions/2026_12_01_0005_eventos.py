"""Events out (the outbox, webhook subscriptions, deliveries and their attempts) and labels.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Values at the time of this revision (revisions never import the code: it moves on).
TIPOS_EVENTO = [
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
]
FORMATOS = ("pendientes", "persat")
ESTADOS_ENTREGA = ("PENDIENTE", "ENTREGADA", "FALLIDA", "DESCARTADA")


def _en(columna: str, valores: Sequence[str]) -> str:
    return f"{columna} IN ({', '.join(repr(v) for v in valores)})"


def _comunes() -> list[sa.Column]:
    return [
        sa.Column(
            "fecha_creacion", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("fecha_modificacion", sa.DateTime(timezone=True), nullable=True),
        sa.Column("vigente", sa.Boolean(), server_default=sa.true(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "eventos",
        sa.Column("numero", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("tipo", sa.String(length=50), nullable=False),
        sa.Column("pendiente_id", sa.BigInteger(), nullable=True),
        sa.Column("cliente_id", sa.BigInteger(), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("fecha", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("datos", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("despachado_en", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(_en("tipo", TIPOS_EVENTO), name=op.f("ck_eventos_tipo")),
        sa.PrimaryKeyConstraint("numero", name=op.f("pk_eventos")),
        sa.UniqueConstraint("id", name=op.f("uq_eventos_id")),
    )
    op.create_index(op.f("ix_eventos_pendiente_id"), "eventos", ["pendiente_id"])
    op.create_index(
        "ix_eventos_por_despachar", "eventos", ["numero"], postgresql_where=sa.text("despachado_en IS NULL")
    )
    op.create_table(
        "webhooks",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("eventos", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("filtro_tipos", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("filtro_lugares", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("formato", sa.String(length=50), server_default="pendientes", nullable=False),
        sa.Column("descripcion", sa.String(length=500), nullable=True),
        sa.Column("activo", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("motivo_inactivo", sa.String(length=500), nullable=True),
        sa.Column("secreto_cifrado", sa.Text(), nullable=False),
        sa.Column("secreto_anterior_cifrado", sa.Text(), nullable=True),
        sa.Column("anterior_vence_en", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fallando_desde", sa.DateTime(timezone=True), nullable=True),
        sa.Column("creado_por", sa.BigInteger(), nullable=True),
        *_comunes(),
        sa.CheckConstraint(_en("formato", FORMATOS), name=op.f("ck_webhooks_formato")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
    )
    op.create_table(
        "entregas",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("webhook_id", sa.BigInteger(), nullable=False),
        sa.Column("evento_numero", sa.BigInteger(), nullable=False),
        sa.Column("clave", sa.String(length=60), nullable=False),
        sa.Column("estado", sa.String(length=50), server_default="PENDIENTE", nullable=False),
        sa.Column("intentos", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("proximo_intento", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ultimo_status", sa.Integer(), nullable=True),
        sa.Column("ultimo_error", sa.String(length=500), nullable=True),
        sa.Column(
            "fecha_creacion", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("entregada_en", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(_en("estado", ESTADOS_ENTREGA), name=op.f("ck_entregas_estado")),
        sa.ForeignKeyConstraint(
            ["evento_numero"], ["eventos.numero"], name=op.f("fk_entregas_evento_numero_eventos")
        ),
        sa.ForeignKeyConstraint(
            ["webhook_id"], ["webhooks.id"], name=op.f("fk_entregas_webhook_id_webhooks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entregas")),
        sa.UniqueConstraint("webhook_id", "evento_numero", name=op.f("uq_entregas_webhook_id_evento_numero")),
    )
    op.create_index("ix_entregas_cola", "entregas", ["webhook_id", "clave", "estado", "evento_numero"])
    op.create_index(op.f("ix_entregas_fecha_creacion"), "entregas", ["fecha_creacion"])
    op.create_table(
        "intentos_entrega",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("entrega_id", sa.BigInteger(), nullable=False),
        sa.Column("numero", sa.Integer(), nullable=False),
        sa.Column("fecha", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("latencia_ms", sa.Integer(), nullable=True),
        sa.Column("respuesta", sa.String(length=1000), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["entrega_id"], ["entregas.id"], name=op.f("fk_intentos_entrega_entrega_id_entregas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intentos_entrega")),
    )
    op.create_index(op.f("ix_intentos_entrega_entrega_id"), "intentos_entrega", ["entrega_id"])
    op.create_table(
        "etiquetas",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("nombre", sa.String(length=50), nullable=False),
        sa.Column("color", sa.String(length=20), nullable=True),
        *_comunes(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_etiquetas")),
    )
    op.create_index(
        "uq_etiquetas_nombre_vigente",
        "etiquetas",
        [sa.text("lower(nombre)")],
        unique=True,
        postgresql_where=sa.text("vigente"),
    )
    op.create_table(
        "pendiente_etiquetas",
        sa.Column("pendiente_id", sa.BigInteger(), nullable=False),
        sa.Column("etiqueta_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["etiqueta_id"], ["etiquetas.id"], name=op.f("fk_pendiente_etiquetas_etiqueta_id_etiquetas")
        ),
        sa.ForeignKeyConstraint(
            ["pendiente_id"], ["pendientes.id"], name=op.f("fk_pendiente_etiquetas_pendiente_id_pendientes")
        ),
        sa.PrimaryKeyConstraint("pendiente_id", "etiqueta_id", name=op.f("pk_pendiente_etiquetas")),
    )
    op.create_index(op.f("ix_pendiente_etiquetas_etiqueta_id"), "pendiente_etiquetas", ["etiqueta_id"])


def downgrade() -> None:
    op.drop_table("pendiente_etiquetas")
    op.drop_index("uq_etiquetas_nombre_vigente", table_name="etiquetas")
    op.drop_table("etiquetas")
    op.drop_table("intentos_entrega")
    op.drop_table("entregas")
    op.drop_table("webhooks")
    op.drop_table("eventos")
