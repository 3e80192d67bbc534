"""Engine and session factory. Only activities, the API and scripts import this; never workflows."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from infra.config import to_sqlalchemy_url


def make_engine(
    database_url: str, pool_size: int = 15, pre_ping: bool = True, max_overflow: int | None = None
) -> AsyncEngine:
    """At most `pool_size + max_overflow` connections (overflow defaults to `pool_size`); the API and the
    worker take both from their settings (DB_POOL_SIZE, DB_MAX_OVERFLOW) so that every process of a
    deployment fits Postgres's max_connections. `pre_ping=False` saves a round trip per checkout where a
    failed statement is retried anyway (the worker's activities: a connection lost to a Postgres restart
    invalidates the pool, the retry gets a new one)."""
    return create_async_engine(
        to_sqlalchemy_url(database_url),
        pool_size=pool_size,
        max_overflow=pool_size if max_overflow is None else max_overflow,
        pool_pre_ping=pre_ping,
    )


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
