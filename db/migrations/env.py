"""Alembic environment: a sync psycopg engine on the configured URL, the models as the target."""

from logging.config import fileConfig
from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import create_engine, pool

# The package, not one module: importing it registers every table in Base.metadata.
from db.models import Base, StrEnumType
from infra.config import get_settings, to_sqlalchemy_url

config = context.config
# Only the CLI configures logging from the ini file; programmatic runs (db.migrate) keep the app's logging.
if config.config_file_name is not None and config.attributes.get("configurar_logs", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Autogenerate writes enum columns as plain VARCHAR: revisions must not import the models."""
    if type_ == "type" and isinstance(obj, StrEnumType):
        return f"sa.String(length={obj.impl.length})"
    return False


url = to_sqlalchemy_url(config.get_main_option("sqlalchemy.url") or get_settings().sqlalchemy_url)
# Autogenerate also compares column types and server defaults, as tests/db/test_schema.py does.
options: dict[str, Any] = {
    "target_metadata": Base.metadata,
    "compare_type": True,
    "compare_server_default": True,
    "render_item": render_item,
}

if context.is_offline_mode():
    context.configure(url=url, literal_binds=True, **options)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
