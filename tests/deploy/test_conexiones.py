"""The connection budget of docker-compose.yml: every process's Postgres connections at their peak fit the
max_connections the compose file gives Postgres (Temporal shares that server). Computed from the files:
replicas and pool settings from the compose file, defaults from infra.config.Settings, Temporal's pools from
its environment (auto-setup's defaults when unset). docs/deploy.md, "Connection budget", explains the sum."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from infra.config import Settings
from tests.deploy.test_compose import environment, load_compose, replicas, resolved_environment

# Temporal's auto-setup runs frontend, history, matching and its internal worker in one process; each opens
# its own pools to the default store and to visibility (config_template.yaml: SQL_MAX_CONNS 20,
# SQL_VIS_MAX_CONNS 10 unless set).
TEMPORAL_SERVICES = 4
TEMPORAL_DEFAULTS = {"SQL_MAX_CONNS": 20, "SQL_VIS_MAX_CONNS": 10}
# Outside the pools: each API process keeps one LISTEN connection for the live board
# (api/seguimiento/difusor.py).
LISTEN_PER_API = 1
# One-shots and people: migrate (Alembic), `ops.cli` (create-admin, reconciliar: pool 1–2 + overflow),
# psql / pg_dumpall during a backup.
ADMIN_HEADROOM = 10
POSTGRES_DEFAULT_MAX = 100
SUPERUSER_RESERVED = 3  # Postgres's superuser_reserved_connections default


def pool_of(service: Mapping[str, Any]) -> int:
    """pool + overflow of one process of `service`: its environment, else the defaults of Settings."""
    env = resolved_environment(service)
    fields = Settings.model_fields
    size = int(env.get("DB_POOL_SIZE", fields["db_pool_size"].default))
    overflow = int(env.get("DB_MAX_OVERFLOW", fields["db_max_overflow"].default))
    return size + overflow


def temporal_connections(compose: Mapping[str, Any]) -> int:
    env = resolved_environment(compose["services"]["temporal"])
    per_service = sum(int(env.get(name, default)) for name, default in TEMPORAL_DEFAULTS.items())
    return TEMPORAL_SERVICES * per_service


def max_connections(compose: Mapping[str, Any]) -> int:
    command = compose["services"]["postgres"].get("command") or []
    text = " ".join(command) if isinstance(command, list) else str(command)
    found = re.search(r"max_connections=(\d+)", text)
    return int(found.group(1)) if found else POSTGRES_DEFAULT_MAX


def budget(compose: Mapping[str, Any]) -> dict[str, int]:
    services = compose["services"]
    api, worker = services["api"], services["worker"]
    return {
        "api": replicas(api) * (pool_of(api) + LISTEN_PER_API),
        "worker": replicas(worker) * pool_of(worker),
        "temporal": temporal_connections(compose),
        "admin": ADMIN_HEADROOM,
        "reserved": SUPERUSER_RESERVED,
    }


def test_every_process_fits_max_connections() -> None:
    compose = load_compose()
    partes = budget(compose)
    assert sum(partes.values()) <= max_connections(compose), partes
    assert max_connections(compose) != POSTGRES_DEFAULT_MAX, "compose sets max_connections explicitly"


def test_pools_are_set_per_process() -> None:
    """API and worker size their pools on purpose (the defaults are for one machine's `make run`)."""
    services = load_compose()["services"]
    for name in ("api", "worker"):
        assert {"DB_POOL_SIZE", "DB_MAX_OVERFLOW"} <= set(environment(services[name])), name


def test_the_budget_catches_one_replica_too_many() -> None:
    """Scaling the API to 10 replicas with these pools does not fit: the check says so."""
    compose = copy.deepcopy(load_compose())
    compose["services"]["api"]["deploy"] = {"replicas": 10}
    assert sum(budget(compose).values()) > max_connections(compose)


def test_temporal_defaults_count_when_unset() -> None:
    compose = copy.deepcopy(load_compose())
    env = environment(compose["services"]["temporal"])
    for name in TEMPORAL_DEFAULTS:
        env.pop(name, None)
    compose["services"]["temporal"]["environment"] = env
    assert temporal_connections(compose) == 4 * (20 + 10)
