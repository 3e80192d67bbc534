"""Each process's pool is what its settings say (the connection budget of docs/deploy.md relies on it)."""

from __future__ import annotations

import pytest

from db.engine import make_engine

URL = "postgresql://u:p@db.invalid:5432/pendientes"  # never connected: building an engine opens nothing


@pytest.mark.parametrize(("size", "overflow", "most"), [(10, 5, 15), (10, 10, 20), (3, 0, 3)])
def test_pool_size_and_overflow(size: int, overflow: int, most: int) -> None:
    engine = make_engine(URL, size, max_overflow=overflow)
    assert engine.pool.size() == size
    assert engine.pool.size() + engine.pool._max_overflow == most


def test_overflow_defaults_to_the_pool_size() -> None:
    engine = make_engine(URL, 4)
    assert engine.pool._max_overflow == 4


def test_pre_ping_por_inactividad_no_hace_ping_en_cada_uso() -> None:
    """The API's engine pings only connections idle a while (a checkout hook), not every checkout, and
    hands out its newest connection first so the busy ones stay fresh."""
    engine = make_engine(URL, 4, pre_ping=5.0, prepare=False)
    assert engine.pool._pre_ping is False
    assert engine.pool.dispatch.checkout
    assert engine.pool._pool.use_lifo is True


def test_el_worker_sigue_sin_ping_y_en_orden() -> None:
    engine = make_engine(URL, 4, pre_ping=False)
    assert engine.pool._pre_ping is False
    assert not engine.pool.dispatch.checkout
    assert engine.pool._pool.use_lifo is False
