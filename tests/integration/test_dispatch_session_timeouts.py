"""Every PostgreSQL connection a service opens carries its statement, lock and idle-in-transaction bounds
(configurable, so a frozen replica's locks die with its session); migrations run without the first two."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from shared.db.engine import MIGRATION_TIMEOUTS, SessionTimeouts, make_engine
from shared.runtime import ServiceRuntime
from shared.testing.backends import KafkaBackend
from tests.integration.spine_fixture import TallySettings, spec

SHOW = "SELECT current_setting('statement_timeout'), current_setting('lock_timeout'), " \
       "current_setting('idle_in_transaction_session_timeout')"


@pytest.mark.integration
async def test_a_service_connection_carries_the_configured_bounds(kafka_backend: KafkaBackend) -> None:
    platform = kafka_backend.platform.model_copy(update={"db_statement_timeout_ms": 45000, "db_lock_timeout_ms": 2500,
                                                         "db_idle_in_transaction_timeout_ms": 7000})
    runtime = ServiceRuntime(spec(), TallySettings(database_url=await kafka_backend.database_url("forecast"),
                                                   platform=platform, migrate_on_start=False))
    try:
        async with runtime.engine.connect() as conn:
            assert tuple((await conn.execute(text(SHOW))).one()) == ("45s", "2500ms", "7s")
    finally:
        await runtime.engine.dispose()
    migrations = make_engine(await kafka_backend.database_url("forecast"), timeouts=MIGRATION_TIMEOUTS)
    try:
        async with migrations.connect() as conn:
            assert tuple((await conn.execute(text(SHOW))).one()) == ("0", "0", "30s")
    finally:
        await migrations.dispose()


@pytest.mark.embedded
async def test_sqlite_is_unaffected(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", timeouts=SessionTimeouts(lock_ms=1))
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT 1"))).scalar_one() == 1
    finally:
        await engine.dispose()
