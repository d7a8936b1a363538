"""Where a rebuild is built, beside the live database, and how it takes the live one's place.

PostgreSQL: a database `<db>_rebuild_<stamp>` on the same server; the switch renames the live one to
`<db>_backup_<stamp>` and the rebuilt one to `<db>`, so the service's URL does not change. PostgreSQL refuses
to rename a database anyone is connected to, so the switch cannot happen under a running service.
SQLite: a file `<name>.rebuild-<stamp>.db` beside the live file; the switch keeps the live file as
`<name>.backup-<stamp>.db` and moves the rebuilt one into its place (stop the service first: a file cannot
tell who has it open).
"""
from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import asyncpg
from sqlalchemy.engine import URL, make_url

PG_NAME_LIMIT = 63  # longer identifiers are silently cut by PostgreSQL


class SwitchRefused(Exception):
    """The switch would lose something (the service is running, or consumed past the rebuild)."""


class PostgresPlace:
    def __init__(self, live_url: URL, stamp: str, admin_database: str) -> None:
        self._live, self._admin_db, self.stamp = live_url, admin_database, stamp
        self.live_name = str(live_url.database)

    @property
    def rebuilt_name(self) -> str:
        return _pg_name(self.live_name, f"_rebuild_{self.stamp}")

    @property
    def backup_name(self) -> str:
        return _pg_name(self.live_name, f"_backup_{self.stamp}")

    @property
    def rebuilt_url(self) -> str:
        return self._live.set(database=self.rebuilt_name).render_as_string(hide_password=False)

    async def create(self) -> str:
        for stamp in _stamps(self.stamp):  # two rebuilds within a second get two databases
            self.stamp = stamp
            try:
                await self._admin(f'CREATE DATABASE "{self.rebuilt_name}"')
                return self.rebuilt_url
            except asyncpg.DuplicateDatabaseError:
                continue
        raise FileExistsError(self.rebuilt_name)

    async def switch(self) -> str:
        try:
            await self._admin(f'ALTER DATABASE "{self.live_name}" RENAME TO "{self.backup_name}"')
        except asyncpg.ObjectInUseError as exc:
            raise SwitchRefused(f"stop every replica of the service first ({exc})") from exc
        try:
            await self._admin(f'ALTER DATABASE "{self.rebuilt_name}" RENAME TO "{self.live_name}"')
        except Exception:
            await self._admin(f'ALTER DATABASE "{self.backup_name}" RENAME TO "{self.live_name}"')
            raise
        return self.backup_name

    async def _admin(self, statement: str) -> None:
        dsn = self._live.set(drivername="postgresql", database=self._admin_db).render_as_string(hide_password=False)
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()


class SqlitePlace:
    def __init__(self, live_url: URL, stamp: str) -> None:
        self._live_url, self.stamp = live_url, stamp
        self.live_path = Path(str(live_url.database))

    @property
    def rebuilt_path(self) -> Path:
        return self.live_path.with_name(f"{self.live_path.stem}.rebuild-{self.stamp}{self.live_path.suffix}")

    @property
    def backup_path(self) -> Path:
        return self.live_path.with_name(f"{self.live_path.stem}.backup-{self.stamp}{self.live_path.suffix}")

    @property
    def rebuilt_url(self) -> str:
        return self._live_url.set(database=str(self.rebuilt_path)).render_as_string(hide_password=False)

    async def create(self) -> str:
        if not self.live_path.exists():
            raise FileNotFoundError(f"no live database at {self.live_path}")
        for stamp in _stamps(self.stamp):
            self.stamp = stamp
            if not self.rebuilt_path.exists() and not self.backup_path.exists():
                return self.rebuilt_url
        raise FileExistsError(self.rebuilt_path)

    async def switch(self) -> str:
        await asyncio.to_thread(_fold_wal, self.rebuilt_path)
        await asyncio.to_thread(_fold_wal, self.live_path)
        self.live_path.rename(self.backup_path)
        self.rebuilt_path.rename(self.live_path)
        return str(self.backup_path)


def _fold_wal(path: Path) -> None:
    """Write the write-ahead log into the file, so the one file holds everything before it moves."""
    conn = sqlite3.connect(path)
    try:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise SwitchRefused(f"{path} is in use: stop the service first")
    finally:
        conn.close()


def place_for(live_url: str, stamp: str, *, admin_database: str) -> PostgresPlace | SqlitePlace:
    url = make_url(live_url)
    if url.get_backend_name() == "sqlite":
        return SqlitePlace(url, stamp)
    return PostgresPlace(url, stamp, admin_database)


def _stamps(stamp: str) -> list[str]:
    return [stamp, *(f"{stamp}_{n}" for n in range(2, 10))]


def _pg_name(base: str, suffix: str) -> str:
    return base[:PG_NAME_LIMIT - len(suffix)] + suffix
