"""Retention keeps the outbox and the inbox bounded: rows older than the window go, newer ones stay, and a
redelivered event whose id was pruned is still refused by the sequence check (both buses)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from shared.clock import FixedClock
from shared.db.engine import make_engine, make_session_factory
from shared.db.plumbing import outbox, plumbing_metadata, processed_events
from shared.events.catalog import QuotaSet
from shared.operations.retention import Pruned, prune_once, prune_outbox
from shared.runtime import ServiceRuntime
from shared.testing import eventually
from shared.testing.backends import Backend
from tests.integration.spine_fixture import tally_count, tally_runtime

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)


async def _set_quota(runtime: ServiceRuntime, amount: int) -> str:
    async with runtime.uow() as uow:
        event = await uow.emit("coxswain.quota.set.v1", subject="ana", data=QuotaSet(
            rep_id="ana", period="2026-Q4", amount=Decimal(amount), currency="EUR"))
        await uow.commit()
    return str(event.id)


async def _ids(runtime: ServiceRuntime) -> tuple[set[str], set[str]]:
    async with runtime.sessions() as session:
        sent = set((await session.execute(select(outbox.c.event_id))).scalars())
        seen = set((await session.execute(select(processed_events.c.event_id))).scalars())
    return sent, seen


async def _stale(runtime: ServiceRuntime) -> float:
    return runtime.metrics.events_handled.labels(type="coxswain.quota.set.v1", outcome="stale")._value.get()


async def test_pruning_bounds_the_tables_and_a_pruned_duplicate_is_still_refused(backend: Backend) -> None:
    clock = FixedClock(T0)
    # The tally service emits quota.set onto the topic it reads: its outbox and its inbox both fill.
    async with tally_runtime(await backend.database_url("forecast"), backend.platform, clock=clock,
                             embedded_bus=backend.embedded_bus) as runtime:
        old = [await _set_quota(runtime, n) for n in (100, 200, 300)]  # sequences 1-3, at T0
        await eventually(lambda: tally_count(runtime), until=lambda n: n == 3)
        clock.advance(hours=7 * 24 + 1)  # a week and an hour later: the first three are past the window
        new = [await _set_quota(runtime, n) for n in (400, 500)]  # sequences 4-5
        await eventually(lambda: tally_count(runtime), until=lambda n: n == 5)
        await eventually(runtime.relay.pending, until=lambda n: n == 0)

        assert await prune_once(runtime) == Pruned(outbox=3, inbox=3, bus=0)
        assert await _ids(runtime) == (set(new), set(new))
        assert await prune_once(runtime) == Pruned(0, 0, 0)  # nothing more is old enough

        first = (await backend.read_topic(backend.topic("coxswain.compensation")))[0]
        assert first.value is not None and old[0].encode() in first.value
        await backend.produce_raw(first.topic, "ana", first.value)  # redelivered after its id was forgotten
        await eventually(lambda: _stale(runtime), until=lambda n: n == 1)  # sequence 1 <= 5 applied: refused
        assert await tally_count(runtime) == 5


@pytest.mark.unit
async def test_unpublished_rows_are_never_pruned_however_old(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'svc.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(plumbing_metadata.create_all)
        row = {"topic": "coxswain.leads", "key": "k", "event_type": "t", "payload": b"{}", "attempts": 0}
        await conn.execute(outbox.insert(), [
            {**row, "event_id": "old-sent", "created_at": T0, "published_at": T0},
            {**row, "event_id": "old-waiting", "created_at": T0, "published_at": None},
            {**row, "event_id": "new-sent", "created_at": T0, "published_at": T0 + timedelta(days=8)},
        ])
    sessions = make_session_factory(engine)
    # batch=1: three deletes of at most one row each, the last finding none.
    assert await prune_outbox(sessions, T0 + timedelta(days=7), batch=1) == 1
    async with engine.connect() as conn:
        left = set((await conn.execute(select(outbox.c.event_id))).scalars())
    assert left == {"old-waiting", "new-sent"}
    await engine.dispose()
