"""Alembic, run programmatically: each service has its own environment and its own version table."""
from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.engine import MIGRATION_TIMEOUTS, make_engine

MIGRATION_LOCK_ID = 7_431_002
# Alembic keeps its migration context in module globals: one migration at a time per process.
_one_at_a_time = asyncio.Lock()


def alembic_config(migrations_dir: Path, url: str, service: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["version_table"] = f"alembic_version_{service}"
    return config


async def upgrade_to_head(migrations_dir: Path, url: str, service: str) -> None:
    config = alembic_config(migrations_dir, url, service)
    engine = make_engine(url, timeouts=MIGRATION_TIMEOUTS)
    async with _one_at_a_time:
        await _upgrade_with(engine, config)


async def _upgrade_with(engine: AsyncEngine, config: Config) -> None:
    try:
        async with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Two replicas starting together must not both migrate.
                await conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            await conn.run_sync(_upgrade, config)
    finally:
        await engine.dispose()


def _upgrade(connection: Connection, config: Config) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def run_environment(target_metadata: list[MetaData]) -> None:
    """The body of every service's migrations/env.py."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations with `coxswain migrate <service>`")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=context.config.attributes["version_table"],
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
