"""What every model shares: the declarative Base with its naming convention, enum columns stored as
VARCHAR with a CHECK, bigint keys, and the common columns.

The database enforces what it can (uniqueness, enum values, ranges, foreign keys) so a bug in one writer
cannot store what the API would refuse. Every relationship is lazy="raise": async code must say what it
loads (selectinload/joinedload)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from sqlalchemy import (
    DDL,
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    MetaData,
    String,
    event,
    func,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedColumn, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

E = TypeVar("E", bound=StrEnum)

# Enum columns are wider than today's longest value so adding a value only touches the CHECK.
ENUM_LENGTH = 50


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True)}
    # Fetch server-generated values (defaults, fecha_modificacion) with RETURNING on INSERT and UPDATE:
    # an expired attribute would otherwise be reloaded implicitly, which async sessions cannot do.
    __mapper_args__ = {"eager_defaults": True}


# The 3-character pieces of the lower-cased texts, for GIN indexes that serve substring search (ILIKE
# '%x%'): a text containing x has every piece of x. pg_trgm does this, but pgserver does not ship it.
# Revision 0009 creates the same function.
TRIGRAMAS = """
CREATE FUNCTION trigramas(VARIADIC partes text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(t, i, 3)), '{}')
    FROM unnest(partes) AS p(parte), lower(p.parte) AS t, generate_series(1, length(t) - 2) AS i
$$"""
event.listen(Base.metadata, "before_create", DDL(TRIGRAMAS))
event.listen(Base.metadata, "after_drop", DDL("DROP FUNCTION IF EXISTS trigramas(text[])"))


class StrEnumType(TypeDecorator[E]):
    """A StrEnum stored as its value in a VARCHAR; the allowed values are a CHECK (`enum_check`)."""

    impl = String(ENUM_LENGTH)
    cache_ok = True

    def __init__(self, enum_cls: type[E]) -> None:
        super().__init__()
        self.enum_cls = enum_cls

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum_cls(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum_cls(value)


def sql_list(values: type[StrEnum]) -> str:
    return ", ".join(f"'{v.value}'" for v in values)


def enum_check(column: str, enum_cls: type[StrEnum]) -> CheckConstraint:
    return CheckConstraint(f"{column} IN ({sql_list(enum_cls)})", name=column)


BigIntPK = Annotated[int, mapped_column(BigInteger, Identity(), primary_key=True)]


def fk(target: str, **kwargs: Any) -> MappedColumn[Any]:
    """A bigint foreign key column (every surrogate key is bigint)."""
    return mapped_column(BigInteger, ForeignKey(target), **kwargs)


class ColumnasComunes:
    # sort_order puts these after each table's own columns.
    fecha_creacion: Mapped[datetime] = mapped_column(server_default=func.now(), sort_order=100)
    fecha_modificacion: Mapped[datetime | None] = mapped_column(onupdate=func.now(), sort_order=100)
    # Soft-delete flag: false means deleted (404 by id, absent from lists).
    vigente: Mapped[bool] = mapped_column(server_default=true(), sort_order=100)
