"""All configuration, from environment variables (or a `.env` file). No secret has a default:
in development the runner generates them once under the data directory; in production they must be set."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from contrato.nombres import COLA_POR_DEFECTO


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path(".data")

    # Postgres: a SQLAlchemy/libpq URL. Empty -> the runner starts an embedded server (pgserver).
    database_url: str | None = None
    # This process's connection pool: `db_pool_size` kept open, up to `db_max_overflow` more under load.
    # Every API and worker process holds its own, so their sum (plus Temporal's and admin headroom) must
    # fit Postgres's max_connections: docs/deploy.md, "Connection budget"; compose sets them per service.
    db_pool_size: int = Field(default=15, gt=0)
    db_max_overflow: int = Field(default=15, ge=0)

    # Temporal: host:port of the frontend. Empty -> the runner starts `temporal server start-dev`.
    temporal_address: str | None = None
    temporal_namespace: str = "default"
    temporal_task_queue: str = COLA_POR_DEFECTO
    temporal_port: int = 7233
    temporal_ui_port: int = 8233
    # Where people open the Temporal Web UI (the board links ops to a pendiente's workflow there).
    # Empty: the local dev server's, http://127.0.0.1:<TEMPORAL_UI_PORT>.
    temporal_ui_url: str | None = None

    api_host: str = "127.0.0.1"
    api_port: int = 8000

    jwt_secret: SecretStr | None = None
    jwt_expiry_minutes: int = Field(default=720, gt=0)
    # Fernet key that encrypts PPPoE passwords at rest.
    secrets_key: SecretStr | None = None

    # Note images: stored under this directory with random names, served only to authorised users.
    uploads_dir: Path = Path(".data/uploads")
    max_imagen_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    # Images one upload request may carry, live images one pendiente may hold (all its notes), and the
    # largest upload body, refused with 413 before it is parsed.
    max_imagenes_por_subida: int = Field(default=20, gt=0)
    max_imagenes_por_pendiente: int = Field(default=100, gt=0)
    max_subida_bytes: int = Field(default=25 * 1024 * 1024, gt=0)

    # Login: concurrent argon2 hashes (the rest queue; default: the CPU count) and failed logins one client
    # address may make in 15 minutes, whatever DNIs it tries (a shared office NAT needs headroom).
    hash_concurrencia: int = Field(default_factory=lambda: os.cpu_count() or 2, gt=0)
    login_fallos_por_direccion: int = Field(default=30, gt=0)
    # Open notification WebSockets per user in one API process: beyond it the oldest is closed.
    ws_max_por_usuario: int = Field(default=5, gt=0)

    demo_data: bool = True
    zona_horaria: str = "America/Lima"
    cancelado_retencion_dias: int = Field(default=30, gt=0)
    # The resolution deadline of each priority (domain/sla.py), counted from creation. A pendiente keeps
    # the deadlines it was created with; a change applies to the ones created after it.
    sla_horas_muy_urgente: float = Field(default=4, gt=0)
    sla_horas_urgente: float = Field(default=24, gt=0)
    sla_horas_media: float = Field(default=72, gt=0)
    sla_horas_baja: float = Field(default=168, gt=0)
    # Seconds an HTTP request waits for the workflow to answer an update before answering 503.
    update_timeout_seconds: float = Field(default=10.0, gt=0)
    # The reconciler (row vs workflow) runs on a Temporal Schedule this often; 0 turns the schedule off.
    reconciliador_minutos: int = Field(default=10, ge=0)
    # Webhooks. Private and loopback receivers are refused (SSRF) unless allowed. Unset: allowed except
    # in production (development and tests deliver to receivers on this machine).
    webhooks_permitir_privadas: bool | None = None
    webhook_timeout_segundos: float = Field(default=10.0, gt=0)
    # A subscription whose every attempt fails for this long is disabled and the administrators told.
    webhook_desactivar_tras_horas: float = Field(default=72.0, gt=0)
    # After a rotation the previous secret keeps signing (a second signature) for this long.
    webhook_gracia_rotacion_horas: float = Field(default=24.0, ge=0)
    # /docs, /redoc and /openapi.json. Unset: served, except in production (there, set it true to serve them).
    api_docs_enabled: bool | None = None
    # Strict-Transport-Security max-age sent in production (which runs behind a TLS proxy); 0: not sent.
    hsts_max_age_seconds: int = Field(default=31_536_000, ge=0)
    # The customer's tracking link (/seguimiento/<token>): the public address it starts with, the hours it
    # keeps answering after the pendiente closes, and the requests one client address may make a minute.
    url_publica: str = "http://127.0.0.1:8000"
    seguimiento_cliente_horas_tras_cierre: float = Field(default=72, ge=0)
    seguimiento_cliente_por_minuto: int = Field(default=60, gt=0)
    # Ops signals (README "Metrics and logs"). The API's /metrics answers a user with ADMINISTRAR or this
    # static bearer token (for Prometheus: it does not expire); unset, only the administrators' tokens.
    metrics_token: SecretStr | None = None
    # Run the workflows in temporalio's sandbox. Off in the worker process: it costs a third of the
    # workflow code's CPU and 90 KiB per cached workflow (README "Performance"). The tests run every
    # workflow in it (build_worker's default, the replayer's), so a non-deterministic call fails there.
    worker_sandbox: bool = False
    # Workflows the worker keeps in memory (temporalio's sticky cache, `max_cached_workflows`). An action on
    # a cached workflow runs at once; on an evicted one the worker first replays its whole history. Size it
    # to the open pendientes touched in a day: README "Memory and cache" (about 0.2 MiB each).
    worker_workflow_cache: int = Field(default=5000, ge=2)
    # Workflow-task polls the worker keeps open, and the share of them on the task queue itself (the rest
    # poll its sticky queue, where the next tasks of cached workflows go). Every new workflow's first task
    # comes from the task queue: with temporalio's defaults (5 polls, 0.2) a single poll fetched them all,
    # and in a burst of creates the tasks it missed waited ~5 s in the server's backlog (README
    # "Performance"). 8 and 0.5: four polls on each queue (the sticky one keeps its four).
    worker_workflow_polls: int = Field(default=8, ge=2)
    worker_polls_task_queue: float = Field(default=0.5, gt=0, le=1)
    # host:port of the worker's Prometheus endpoint (the Temporal SDK's metrics); empty: no endpoint.
    worker_metrics_address: str = "127.0.0.1:9464"
    # `json` (one object a line) or `texto` (readable). Unset: json in production, texto elsewhere.
    log_formato: Literal["json", "texto"] | None = None

    @model_validator(mode="after")
    def _secrets_required_in_production(self) -> Settings:
        if self.environment == "production":
            missing = [
                n
                for n in ("jwt_secret", "secrets_key", "database_url", "temporal_address")
                if not getattr(self, n)
            ]
            if missing:
                raise ValueError(f"production needs these settings: {', '.join(missing)}")
        return self

    @property
    def formato_logs(self) -> str:
        return self.log_formato or ("json" if self.environment == "production" else "texto")

    @property
    def webhooks_a_redes_privadas(self) -> bool:
        if self.webhooks_permitir_privadas is not None:
            return self.webhooks_permitir_privadas
        return self.environment != "production"

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL with the psycopg 3 driver, whatever scheme was configured."""
        if not self.database_url:
            raise RuntimeError("DATABASE_URL is not set (the runner sets it for the embedded server)")
        return to_sqlalchemy_url(self.database_url)


def to_sqlalchemy_url(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    raise ValueError("DATABASE_URL must be a postgresql:// URL")


@lru_cache
def get_settings() -> Settings:
    return Settings()
