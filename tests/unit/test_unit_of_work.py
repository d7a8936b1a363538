"""The re-entrant unit of work: a command called inside an open unit of work joins its transaction.

Its `commit()` commits nothing, the outer rollback undoes it, and the events it emitted reach the outbox
with the outer commit (and only then does the relay hear of them). SQLite in memory, no server.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

import shared.webhooks_out.tables  # noqa: F401  (the outbox's webhook deliveries are written beside it)
from shared.clock import FixedClock
from shared.db.engine import make_session_factory
from shared.db.plumbing import outbox, plumbing_metadata
from shared.db.uow import UnitOfWork, command
from shared.errors import ConflictError, StaleWrite
from shared.events.catalog import TeamUpserted
from shared.messaging.failures import cause_of, is_conflict, is_transient

CLOCK = FixedClock(datetime(2026, 12, 2, 9, tzinfo=UTC))
metadata = MetaData()
teams = Table("teams", metadata, Column("id", String(20), primary_key=True), Column("renamed", Integer))


class Units:
    """Units of work over one in-memory database, counting the relay's wake-ups (one per commit with events)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine, self.sessions, self.wake_ups = engine, make_session_factory(engine), 0

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, service="territory", clock=CLOCK, on_commit=self._woken)

    def _woken(self) -> None:
        self.wake_ups += 1

    async def rows(self) -> tuple[dict[str, int | None], int]:
        """Committed state: each team's rename count, and how many outbox rows there are."""
        async with self.engine.connect() as conn:
            found = {r.id: r.renamed for r in await conn.execute(select(teams))}
            return found, (await conn.execute(select(func.count()).select_from(outbox))).scalar_one()


@pytest.fixture
async def units() -> AsyncIterator[Units]:
    engine = create_async_engine("sqlite+aiosqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    async with engine.begin() as conn:
        for schema in (plumbing_metadata, metadata):
            await conn.run_sync(schema.create_all)
        await conn.execute(teams.insert(), [{"id": "emea", "renamed": 0}, {"id": "apac", "renamed": 0}])
    yield Units(engine)
    await engine.dispose()


@command
async def rename_team(uow: UnitOfWork, team_id: str, name: str) -> None:
    async with uow:
        await uow.session.execute(update(teams).where(teams.c.id == team_id).values(renamed=teams.c.renamed + 1))
        await uow.emit("coxswain.team.upserted.v1", subject=team_id, data=TeamUpserted(team_id=team_id, name=name))
        await uow.commit()


async def test_a_command_on_its_own_commits_its_change_and_its_event(units: Units) -> None:
    await rename_team(units(), "emea", "EMEA")
    assert await units.rows() == ({"emea": 1, "apac": 0}, 1)
    assert units.wake_ups == 1


async def test_a_command_inside_an_open_unit_of_work_commits_only_with_it(units: Units) -> None:
    uow = units()
    async with uow:
        await rename_team(uow, "emea", "EMEA")
        await rename_team(uow, "apac", "APAC")
        assert uow.session.in_transaction()  # the commands' commit() ended nothing
        assert units.wake_ups == 0
        assert [e.subject for e in uow.emitted] == ["emea", "apac"]
        await uow.commit()
    assert await units.rows() == ({"emea": 1, "apac": 1}, 2)  # both changes, both events, once
    assert units.wake_ups == 1  # the relay is woken once, by the commit that owns the transaction


async def test_an_outer_rollback_undoes_what_the_joined_command_did(units: Units) -> None:
    uow = units()
    async with uow:
        await rename_team(uow, "emea", "EMEA")
        await uow.rollback()
    assert await units.rows() == ({"emea": 0, "apac": 0}, 0)
    assert units.wake_ups == 0


async def test_an_outer_block_left_without_commit_keeps_nothing(units: Units) -> None:
    uow = units()
    with pytest.raises(LookupError):
        async with uow:
            await rename_team(uow, "emea", "EMEA")
            raise LookupError("the handler failed after the command")
    assert await units.rows() == ({"emea": 0, "apac": 0}, 0)


async def test_the_events_a_joined_command_emitted_are_written_with_the_outer_commit(units: Units) -> None:
    uow = units()
    async with uow:
        await rename_team(uow, "emea", "EMEA")
        await uow.emit("coxswain.team.upserted.v1", subject="apac", data=TeamUpserted(team_id="apac", name="APAC"))
        await uow.commit()
    async with units.engine.connect() as conn:
        written = [(r.key, r.event_type) for r in await conn.execute(select(outbox).order_by(outbox.c.id))]
    assert written == [("emea", "coxswain.team.upserted.v1"), ("apac", "coxswain.team.upserted.v1")]


async def test_the_unit_of_work_is_reusable_after_its_block_closes(units: Units) -> None:
    uow = units()
    await rename_team(uow, "emea", "EMEA")
    await rename_team(uow, "emea", "EMEA 2")
    assert not uow.is_open
    assert await units.rows() == ({"emea": 2, "apac": 0}, 2)


class SerializationFailure(Exception):
    sqlstate = "40001"  # what PostgreSQL says when it ends a transaction that met another


@command
async def flaky_rename(uow: UnitOfWork, team_id: str, failures: list[str]) -> None:
    """Renames the team, after failing with a serialization failure once per entry left in `failures`."""
    async with uow:
        await uow.session.execute(update(teams).where(teams.c.id == team_id).values(renamed=teams.c.renamed + 1))
        if failures:
            raise SerializationFailure(failures.pop())
        await uow.commit()


async def test_a_command_in_its_own_transaction_is_run_again_after_a_conflict(units: Units) -> None:
    failures = ["first", "second"]
    await flaky_rename(units(), "emea", failures)
    assert failures == []
    assert await units.rows() == ({"emea": 1, "apac": 0}, 0)  # three runs, one effect: the failed two rolled back


async def test_a_command_in_a_joined_transaction_leaves_the_retry_to_its_owner(units: Units) -> None:
    uow, failures = units(), ["once"]
    with pytest.raises(SerializationFailure):
        async with uow:
            await flaky_rename(uow, "emea", failures)
    assert failures == []  # ran once: the consumer runs its whole batch again, not this one command
    assert await units.rows() == ({"emea": 0, "apac": 0}, 0)


@command
async def rename_read_before_a_rival(uow: UnitOfWork, team_id: str, rivals: list[str]) -> None:
    """Reads the team's count, lets a rival transaction bump it (once per entry in `rivals`), then writes the
    count it read plus one only where the count is still what it read: the version check of every repository."""
    async with uow:
        seen = (await uow.session.execute(select(teams.c.renamed).where(teams.c.id == team_id))).scalar_one()
        if rivals:
            rivals.pop()
            async with UnitOfWork(uow._session_factory, service="test", clock=uow.clock) as rival:
                await rival.session.execute(update(teams).where(teams.c.id == team_id).values(renamed=seen + 10))
                await rival.commit()
        written = await uow.session.execute(update(teams).where(teams.c.id == team_id, teams.c.renamed == seen)
                                            .values(renamed=seen + 1))
        if written.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult; execute() is typed as Result
            raise StaleWrite(f"team {team_id} changed meanwhile")
        await uow.commit()


async def test_a_command_that_lost_a_version_race_runs_again_on_the_fresh_row(units: Units) -> None:
    rivals = ["one rival commits between the read and the write"]
    await rename_read_before_a_rival(units(), "emea", rivals)
    assert rivals == []
    assert await units.rows() == ({"emea": 11, "apac": 0}, 0)  # the rival's 10, then this command's 1 on top


def test_a_lost_version_race_is_retried_by_the_consumer_too_never_dead_lettered() -> None:
    assert is_conflict(StaleWrite("deal d1 changed meanwhile"))
    assert is_transient(StaleWrite("deal d1 changed meanwhile"))
    assert cause_of(StaleWrite("deal d1 changed meanwhile")) == "stale_write"
    assert not is_transient(ConflictError("deal d1 is already won"))  # a business conflict is the event's own
