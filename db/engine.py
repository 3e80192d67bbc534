"""Engine and session factory. Only activities, the API and scripts import this; never workflows."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from infra.config import to_sqlalchemy_url

# The API's pre-ping: only a connection that sat unused in the pool this long is pinged before use.
API_PING_AFTER_IDLE_SECONDS = 5.0


def make_engine(
    database_url: str,
    pool_size: int = 15,
    pre_ping: bool | float = True,
    max_overflow: int | None = None,
    prepare: bool = True,
) -> AsyncEngine:
    """At most `pool_size + max_overflow` connections (overflow defaults to `pool_size`); the API and the
    worker take both from their settings (DB_POOL_SIZE, DB_MAX_OVERFLOW) so that every process of a
    deployment fits Postgres's max_connections.

    `pre_ping`: True pings every connection taken from the pool (one round trip); False never (the
    worker: its activities retry, and a connection lost to a Postgres restart invalidates the pool, the
    retry gets a new one); a number of seconds pings only a connection idle longer than that
    (`ping_after_idle`). `prepare=False` turns psycopg's server-side prepared statements off (the API): a
    list's statement, prepared after 5 runs, could be given Postgres's generic plan, blind to its values
    (a date range's width, the offset), where every statement is planned for its values today (a read
    session used to end with a ROLLBACK, which cleared psycopg's counts)."""
    conexion: dict[str, Any] = {} if prepare else {"prepare_threshold": None}
    engine = create_async_engine(
        to_sqlalchemy_url(database_url),
        pool_size=pool_size,
        max_overflow=pool_size if max_overflow is None else max_overflow,
        pool_pre_ping=pre_ping is True,
        # With a ping on idleness, the newest connection first: under steady traffic the same few stay
        # busy and are never pinged; the others age in the pool.
        pool_use_lifo=not isinstance(pre_ping, bool),
        connect_args=conexion,
    )
    if not isinstance(pre_ping, bool):
        ping_after_idle(engine, pre_ping)
    return engine


def ping_after_idle(engine: AsyncEngine, seconds: float) -> None:
    """Pre-ping only a connection that was idle in the pool for more than `seconds`: one given back
    moments ago was alive then, so under steady traffic no checkout pays the round trip. A dead idle one
    (Postgres restarted overnight) is replaced before use, as with `pool_pre_ping`; one that died in the
    last seconds fails its first statement, which invalidates the whole pool (the API answers that
    request with a 503, api/comun/respuesta.py) and the next request gets a new connection."""
    pool = engine.sync_engine.pool
    dialect = engine.sync_engine.dialect

    @event.listens_for(pool, "checkin")
    def _devuelta(dbapi_connection: Any, registro: Any) -> None:
        registro.info["devuelta"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _tomada(dbapi_connection: Any, registro: Any, proxy: Any) -> None:
        # `info` is emptied when a connection is replaced: a new one is not pinged.
        devuelta = registro.info.get("devuelta")
        if devuelta is None or time.monotonic() - devuelta <= seconds:
            return
        if not dialect._do_ping_w_event(dbapi_connection):
            # As pool_pre_ping does: the pool replaces this connection (and every older one) and retries.
            raise exc.InvalidatePoolError("connection lost while idle in the pool")


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def make_read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose statements each run in autocommit, on the same pool: no BEGIN before the first
    statement and no ROLLBACK when the session ends. Only for what reads (api/comun/deps.solo_lectura):
    a write made here would be committed at once, statement by statement."""
    return async_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False)
