"""Adjustments and snapshots page in SQL by a unique key (keyset): every row once, in order, over small pages."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.forecast import commands
from services.forecast.db.models import metadata
from services.forecast.queries.adjustments import adjustment_history
from services.forecast.queries.snapshots import snapshots_of
from services.forecast.settings import ForecastSettings
from shared.clock import FixedClock
from shared.db.uow import UnitOfWorkFactory
from shared.http.auth import Principal
from shared.testing.memory import memory_units

OPS = Principal(sub="ops", roles=frozenset({"ops"}))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))


@pytest.fixture
async def units(clock: FixedClock) -> AsyncIterator[UnitOfWorkFactory]:
    async with memory_units("forecast", metadata, clock) as units:
        yield units


async def test_snapshots_page_by_time_method_and_id(units: UnitOfWorkFactory, clock: FixedClock) -> None:
    taken = []
    for _ in range(2):
        taken += await commands.take_snapshots(units(), commands.TakeSnapshots("2026-Q4"), ForecastSettings())
        clock.advance(days=1)
    assert [s.period for s in taken] == ["2026-Q4"] * 8
    expected = sorted(taken, key=lambda s: (s.taken_at, s.method, s.snapshot_id))
    seen, after = [], None
    while True:
        found, after = await snapshots_of(units(), "2026-Q4", after, 3)
        seen += found
        if after is None:
            break
    assert [s.snapshot_id for s in seen] == [s.snapshot_id for s in expected]
    assert await snapshots_of(units(), "2026-Q3", None, 3) == ([], None)


async def test_adjustments_page_oldest_first_and_a_manager_sees_only_theirs(units: UnitOfWorkFactory) -> None:
    made = [await commands.adjust_forecast(units(), OPS, commands.AdjustForecast(
        "2026-Q4", "rep", f"rep-{i}", "weighted", "USD", Decimal(i), "call")) for i in range(5)]
    seen, after = [], None
    while True:
        found, after = await adjustment_history(units(), OPS, "2026-Q4", None, None, after, 2)
        seen += found
        if after is None:
            break
    assert [a.adjustment_id for a in seen] == [a.adjustment_id for a in made]
    rep = Principal(sub="r", roles=frozenset({"rep"}), rep_id="rep-3")
    assert [a.group_id for a in (await adjustment_history(units(), rep, "2026-Q4", None, None, None, 2))[0]] == [
        "rep-3"]
