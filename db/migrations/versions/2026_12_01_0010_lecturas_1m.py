"""Covering indexes for the pendiente lists at 1,000,000 rows: dates and a technician's count.

- `ix_pendientes_vigentes_por_creacion` (the default order) also carries `fecha_pendiente`: a date
  filter walking that order tests the date in the index, never in the table (a week two months ago
  walked 146k rows through the heap: 1.3 s; index-only it is tens of milliseconds at worst).
- `ix_pendientes_fecha_pendiente` carries the order's keys and `vigente`: a date range is counted and,
  when small, sorted for its page from this index alone (api/pendientes/servicio._pagina_por_fecha).
- `ix_pendientes_registrado_por` and `ix_pendientes_asignado_a` carry `vigente` and `estado` (and the
  assignee's the registrant): a technician's exact count (and the board's counts by estado) is two
  index-only counts instead of visiting the table page of each of their rows (48k pages at 1M).
- `ix_pendientes_estado` becomes (estado, sla_vence, fecha_pendiente, id) carrying `vigente`: each
  board column walks its 50 most pressing cards in order, and counts by estado are index-only.

The five replace indexes of the same names (same leading column), so every write pays for no more
indexes than before. Index-only scans skip the table only for pages marked all-visible by (auto)vacuum.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POR_CREACION = "ix_pendientes_vigentes_por_creacion"
ORDEN = [sa.text("fecha_creacion DESC"), sa.text("id DESC")]
# The index named after each column: its keys and the columns it carries.
CUBIERTOS = {
    "fecha_pendiente": (["fecha_pendiente"], ["fecha_creacion", "id", "vigente"]),
    "registrado_por": (["registrado_por"], ["vigente", "estado"]),
    "asignado_a": (["asignado_a"], ["registrado_por", "vigente", "estado"]),
    "estado": (["estado", "sla_vence", "fecha_pendiente", "id"], ["vigente"]),
}


def upgrade() -> None:
    op.drop_index(POR_CREACION, table_name="pendientes")
    op.create_index(
        POR_CREACION,
        "pendientes",
        ORDEN,
        postgresql_where=sa.text("vigente"),
        postgresql_include=["fecha_pendiente"],
    )
    for columna, (claves, incluidas) in CUBIERTOS.items():
        op.drop_index(f"ix_pendientes_{columna}", table_name="pendientes")
        op.create_index(f"ix_pendientes_{columna}", "pendientes", claves, postgresql_include=incluidas)


def downgrade() -> None:
    for columna in CUBIERTOS:
        op.drop_index(f"ix_pendientes_{columna}", table_name="pendientes")
        op.create_index(f"ix_pendientes_{columna}", "pendientes", [columna])
    op.drop_index(POR_CREACION, table_name="pendientes")
    op.create_index(POR_CREACION, "pendientes", ORDEN, postgresql_where=sa.text("vigente"))
