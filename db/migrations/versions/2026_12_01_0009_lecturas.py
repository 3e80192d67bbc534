"""Indexes for the pendiente lists at 100k+ rows: the default order, estado + lugar, and text search.

The text search (`texto`: a substring of the client's name, code, document or address, or of the
pendiente's address, any case) is served by `trigramas(...)`, an immutable SQL function giving the
3-character pieces of the lower-cased text, indexed with GIN: a text containing the searched one has all
its pieces, so `trigramas(col) @> trigramas('busqueda')` narrows the rows and ILIKE then decides.
pg_trgm would do it, but the embedded Postgres (pgserver) does not ship it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGRAMAS = """
CREATE FUNCTION trigramas(VARIADIC partes text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(t, i, 3)), '{}')
    FROM unnest(partes) AS p(parte), lower(p.parte) AS t, generate_series(1, length(t) - 2) AS i
$$"""


def upgrade() -> None:
    op.execute(TRIGRAMAS)
    op.create_index(
        "ix_pendientes_vigentes_por_creacion",
        "pendientes",
        [sa.text("fecha_creacion DESC"), sa.text("id DESC")],
        postgresql_where=sa.text("vigente"),
    )
    op.create_index(
        "ix_pendientes_vigentes_lugar_estado",
        "pendientes",
        ["lugar", "estado"],
        postgresql_where=sa.text("vigente"),
    )
    op.execute(
        "CREATE INDEX ix_pendientes_vigentes_trigramas ON pendientes USING gin (trigramas(direccion))"
        " WHERE vigente"
    )
    op.execute(
        "CREATE INDEX ix_clientes_trigramas ON clientes"
        " USING gin (trigramas(nombre, codigo_cliente, numero_documento, direccion))"
    )


def downgrade() -> None:
    op.drop_index("ix_clientes_trigramas", table_name="clientes")
    op.drop_index("ix_pendientes_vigentes_trigramas", table_name="pendientes")
    op.drop_index("ix_pendientes_vigentes_lugar_estado", table_name="pendientes")
    op.drop_index("ix_pendientes_vigentes_por_creacion", table_name="pendientes")
    op.execute("DROP FUNCTION trigramas(text[])")
