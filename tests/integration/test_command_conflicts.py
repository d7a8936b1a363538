"""`@command` on PostgreSQL: two commands locking two rows in opposite order meet in a deadlock, and the
one PostgreSQL ends is run again, so both complete and each effect is there exactly once. The same two
commands without the decorator: one of them fails with deadlock_detected.

The interleaving is forced with events, not timing: each command locks its first row, says so, and waits
until the other has locked its own before reaching for the second.
"""
from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

import shared.webhooks_out.tables  # noqa: F401  (the outbox's webhook deliveries are written beside it)
from shared.clock import FixedClock
from shared.db.engine import make_engine, make_session_factory
from shared.db.plumbing import outbox, plumbing_metadata
from shared.db.uow import UnitOfWork, command
from shared.events.catalog import TeamUpserted
from shared.messaging.failures import is_conflict, sqlstate_of

CLOCK = FixedClock(datetime(2026, 12, 2, 9, tzinfo=UTC))
WAIT = 60  # seconds: a guard against a hang, never what the test measures
metadata = MetaData()
accounts = Table("accounts", metadata, Column("id", String(20), primary_key=True), Column("balance", Integer))


@dataclass
class Meeting:
    """Each side says when it holds its first row, and waits for the other to hold its own."""

    holds: dict[str, asyncio.Event] = field(default_factory=lambda: {"a": asyncio.Event(), "b": asyncio.Event()})
    attempts: dict[str, int] = field(default_factory=lambda: {"a": 0, "b": 0})


@command
async def transfer(uow: UnitOfWork, source: str, target: str, amount: int, meeting: Meeting) -> None:
    async with uow:
        meeting.attempts[source] += 1
        await _add(uow, source, -amount)  # locks the source row
        meeting.holds[source].set()
        await asyncio.wait_for(meeting.holds[target].wait(), WAIT)  # the other holds the target row now
        await _add(uow, target, amount)  # each waits for the other: PostgreSQL ends one of the two
        await uow.emit("coxswain.team.upserted.v1", subject=f"{source}-{target}",
                       data=TeamUpserted(team_id=source, name=f"sent {amount} to {target}"))
        await uow.commit()


async def _add(uow: UnitOfWork, account: str, amount: int) -> None:
    await uow.session.execute(update(accounts).where(accounts.c.id == account)
                              .values(balance=accounts.c.balance + amount))


@pytest.fixture
async def engine(postgres_database: Callable[[str], Awaitable[str]]) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(await postgres_database("conflicts"))
    async with engine.begin() as conn:
        for schema in (plumbing_metadata, metadata):
            await conn.run_sync(schema.create_all)
        await conn.execute(accounts.insert(), [{"id": "a", "balance": 100}, {"id": "b", "balance": 100}])
    yield engine
    await engine.dispose()


async def _state(engine: AsyncEngine) -> tuple[dict[str, int], int]:
    async with engine.connect() as conn:
        balances = {r.id: r.balance for r in await conn.execute(select(accounts))}
        return balances, (await conn.execute(select(func.count()).select_from(outbox))).scalar_one()


async def test_with_command_both_transfers_complete_once_after_the_deadlock(engine: AsyncEngine) -> None:
    sessions, meeting = make_session_factory(engine), Meeting()

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions, service="territory", clock=CLOCK)

    await asyncio.gather(transfer(uow(), "a", "b", 10, meeting), transfer(uow(), "b", "a", 3, meeting))
    assert await _state(engine) == ({"a": 100 - 10 + 3, "b": 100 + 10 - 3}, 2)
    assert sorted(meeting.attempts.values()) == [1, 2]  # one ran again after PostgreSQL ended it


async def test_without_command_one_transfer_fails_with_deadlock_detected(engine: AsyncEngine) -> None:
    sessions, meeting = make_session_factory(engine), Meeting()
    once = inspect.unwrap(transfer)  # the use case itself (its __wrapped__), run once

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions, service="territory", clock=CLOCK)

    outcomes = await asyncio.gather(once(uow(), "a", "b", 10, meeting), once(uow(), "b", "a", 3, meeting),
                                    return_exceptions=True)
    failed = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(failed) == 1 and is_conflict(failed[0]) and sqlstate_of(failed[0]) == "40P01", outcomes
    survivor = 0 if outcomes[1] is failed[0] else 1  # the transfer that committed: a->b 10, or b->a 3
    expected = {"a": 90, "b": 110} if survivor == 0 else {"a": 103, "b": 97}
    assert await _state(engine) == (expected, 1)
    assert meeting.attempts == {"a": 1, "b": 1}
