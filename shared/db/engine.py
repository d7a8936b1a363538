"""Async engines for PostgreSQL (asyncpg) and SQLite (aiosqlite); nothing is created at import time.

Every PostgreSQL connection carries three server-side bounds (SessionTimeouts), so no database lock
outlives its owner's usefulness: a statement that runs too long is cancelled (57014), a wait for a lock
gives up (55P03), and a session left idle inside a transaction - a replica frozen by SIGSTOP, a process
stuck between two statements - is ended by the server (25P03), releasing its row and advisory locks.
The dispatcher counts all three as infrastructure failures and retries. SQLite has no such settings and
is unaffected.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


@dataclass(frozen=True)
class SessionTimeouts:
    """Milliseconds; 0 turns a bound off (PostgreSQL's own meaning of 0)."""

    statement_ms: int = 60_000
    lock_ms: int = 15_000
    idle_in_transaction_ms: int = 30_000

    def server_settings(self) -> dict[str, str]:
        return {"statement_timeout": str(self.statement_ms), "lock_timeout": str(self.lock_ms),
                "idle_in_transaction_session_timeout": str(self.idle_in_transaction_ms)}


# Migrations may rewrite a large table and wait for a replica's migration lock: only the idle bound holds.
MIGRATION_TIMEOUTS = SessionTimeouts(statement_ms=0, lock_ms=0)


def make_engine(url: str, *, pool_size: int = 10, timeouts: SessionTimeouts | None = None) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    settings = (timeouts or SessionTimeouts()).server_settings()
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True,
                               connect_args={"server_settings": settings})


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work beside the one writer; busy_timeout waits for the lock instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
