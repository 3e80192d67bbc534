"""The worker's tuning comes from the settings (README "Memory and cache")."""

from __future__ import annotations

import pytest

import worker
from infra.config import Settings


def test_the_sticky_cache_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKER_WORKFLOW_CACHE", "1234")
    assert worker.opciones(Settings(_env_file=None)) == {"max_cached_workflows": 1234}


def test_the_default_cache_holds_a_day_of_open_pendientes(monkeypatch: pytest.MonkeyPatch) -> None:
    """5,000 open pendientes touched in a day (more than the 2,000 of an outage's first minutes)."""
    monkeypatch.delenv("WORKER_WORKFLOW_CACHE", raising=False)
    assert worker.opciones(Settings(_env_file=None))["max_cached_workflows"] == 5000


def test_a_cache_below_two_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """temporalio needs two workflow-task slots for a sticky cache; 0 or 1 is a typo here, not a choice."""
    monkeypatch.setenv("WORKER_WORKFLOW_CACHE", "1")
    with pytest.raises(ValueError, match="worker_workflow_cache"):
        Settings(_env_file=None)
