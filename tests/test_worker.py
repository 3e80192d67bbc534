"""The worker's tuning comes from the settings (README "Memory and cache")."""

from __future__ import annotations

import pytest

import worker
from infra.config import Settings


def test_the_sticky_cache_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKER_WORKFLOW_CACHE", "1234")
    assert worker.opciones(Settings(_env_file=None))["max_cached_workflows"] == 1234


def test_the_default_cache_holds_a_day_of_open_pendientes(monkeypatch: pytest.MonkeyPatch) -> None:
    """5,000 open pendientes touched in a day (more than the 2,000 of an outage's first minutes)."""
    monkeypatch.delenv("WORKER_WORKFLOW_CACHE", raising=False)
    assert worker.opciones(Settings(_env_file=None))["max_cached_workflows"] == 5000


def test_a_cache_below_two_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """temporalio needs two workflow-task slots for a sticky cache; 0 or 1 is a typo here, not a choice."""
    monkeypatch.setenv("WORKER_WORKFLOW_CACHE", "1")
    with pytest.raises(ValueError, match="worker_workflow_cache"):
        Settings(_env_file=None)


def test_a_burst_of_creates_has_four_polls_on_the_task_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new workflow's first task comes from the task queue, not the sticky one: a create burst needs
    several polls there (one poll left tasks ~5 s in the server's backlog), and the sticky queue keeps
    the four temporalio gives it by default."""
    for nombre in ("WORKER_WORKFLOW_POLLS", "WORKER_POLLS_TASK_QUEUE"):
        monkeypatch.delenv(nombre, raising=False)
    opciones = worker.opciones(Settings(_env_file=None))
    polls = opciones["workflow_task_poller_behavior"].maximum
    en_la_cola = polls * opciones["nonsticky_to_sticky_poll_ratio"]
    assert (en_la_cola, polls - en_la_cola) == (4, 4)


def test_the_polls_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKER_WORKFLOW_POLLS", "12")
    monkeypatch.setenv("WORKER_POLLS_TASK_QUEUE", "0.25")
    opciones = worker.opciones(Settings(_env_file=None))
    assert opciones["workflow_task_poller_behavior"].maximum == 12
    assert opciones["nonsticky_to_sticky_poll_ratio"] == 0.25
