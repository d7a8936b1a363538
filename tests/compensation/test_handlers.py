"""Each consumed event's handler driven the consumer's way (open the unit of work, handle, commit) over an
in-memory database with compensation's real tables; outcomes read back through the service's queries.

The worked plan: marginal tiers, 10% up to quota and 15% above it, quota 100,000.00 USD for 2026-Q4.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from typing import Any

import pytest

from services.compensation.commands import plans as plan_commands
from services.compensation.db.models import metadata
from services.compensation.db.statements_repo import LineFilter
from services.compensation.handlers import EVENT_HANDLERS
from services.compensation.queries import commissions, statements
from services.compensation.queries.access import visible_reps
from services.compensation.queries.statements import Statement
from shared.clock import FixedClock
from shared.db.uow import UnitOfWork, UnitOfWorkFactory
from shared.events import CloudEvent
from shared.events import catalog as ev
from shared.http.auth import Principal
from shared.testing.memory import incoming, memory_units

pytestmark = pytest.mark.unit
CLOCK = FixedClock(datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
CLOSED = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
OPS = Principal(sub="ops", roles=frozenset({"ops"}))
PLAN = {"currency": "USD", "period_kind": "quarter", "components": [
    {"kind": "tiers", "name": "quota", "mode": "marginal",
     "tiers": [{"from": "0", "rate": "0.10"}, {"from": "100", "rate": "0.15"}]}]}


@pytest.fixture
async def units() -> AsyncIterator[UnitOfWorkFactory]:
    async with memory_units("compensation", metadata, CLOCK) as factory:
        for rep_id in ("rep-1", "rep-2"):
            await _plan_for(factory, rep_id)
        yield factory


async def _plan_for(units: UnitOfWorkFactory, rep_id: str) -> None:
    if rep_id == "rep-1":
        await plan_commands.create_plan(units(), plan_commands.CreatePlan("ae", "AE", date(2026, 1, 1), PLAN))
    await plan_commands.assign_plan(units(), plan_commands.AssignPlan("ae", rep_id, date(2026, 1, 1), None))
    await plan_commands.set_quota(units(), plan_commands.SetQuota(rep_id, "2026-Q4", D("100000.00"), "USD"))


async def handle(units: UnitOfWorkFactory, event_type: str, data: Any, subject: str) -> UnitOfWork:
    """As the consumer does: one transaction around the handler, committed after it."""
    uow = units()
    event: CloudEvent = incoming(event_type, data, subject=subject, clock=CLOCK)
    async with uow:
        await EVENT_HANDLERS[event_type](event, uow)
        await uow.commit()
    return uow


def won(deal_id: str, amount: str, splits: list[tuple[str, str]] | None = None, at: datetime = CLOSED,
        outcome: str = "won") -> ev.DealClosed:
    return ev.DealClosed(deal_id=deal_id, outcome=outcome, amount=D(amount), currency="USD",  # type: ignore[arg-type]
                         owner_id=(splits or [("rep-1", "100")])[0][0], created_at=at, closed_at=at,
                         splits=[ev.Split(rep_id=r, percent=D(p)) for r, p in splits or []])


async def statement(units: UnitOfWorkFactory, rep_id: str = "rep-1") -> Statement:
    return await statements.rep_statement(units(), OPS, rep_id, "2026-Q4")


def amounts(uow: UnitOfWork, event_type: str) -> list[tuple[str, str, D]]:
    return [(e.data.rep_id, e.data.deal_id, e.data.amount) for e in uow.emitted if e.type == event_type]


CALCULATED = "coxswain.commission.calculated.v1"
REVERSED = "coxswain.commission.reversed.v1"


async def test_a_won_deal_pays_each_rep_on_their_split(units: UnitOfWorkFactory) -> None:
    uow = await handle(units, "coxswain.deal.closed.v1", won("d-1", "80000.00", [("rep-1", "75"), ("rep-2", "25")]),
                       "d-1")
    # rep-1: 75% of 80,000 = 60,000 at 10% = 6,000.00; rep-2: 25% = 20,000 at 10% = 2,000.00
    assert sorted(amounts(uow, CALCULATED)) == [("rep-1", "d-1", D("6000.00")), ("rep-2", "d-1", D("2000.00"))]
    assert (await statement(units)).total == D("6000.00")
    assert (await statement(units, "rep-2")).total == D("2000.00")


async def test_the_same_fact_twice_changes_nothing(units: UnitOfWorkFactory) -> None:
    await handle(units, "coxswain.deal.closed.v1", won("d-1", "80000.00"), "d-1")
    again = await handle(units, "coxswain.deal.closed.v1", won("d-1", "80000.00"), "d-1")
    assert again.emitted == []
    found = await statement(units)
    assert (found.total, len(found.lines)) == (D("8000.00"), 1)


async def test_deals_cross_the_quota_whatever_order_they_arrive_in(units: UnitOfWorkFactory) -> None:
    # In close order: d-1 80,000 at 10% = 8,000; d-2 40,000: 20,000 to quota at 10% = 2,000, 20,000 above at
    # 15% = 3,000. Total 13,000.00, though d-2 (closed an hour later) arrives first.
    await handle(units, "coxswain.deal.closed.v1", won("d-2", "40000.00", at=CLOSED + timedelta(hours=1)), "d-2")
    await handle(units, "coxswain.deal.closed.v1", won("d-1", "80000.00"), "d-1")
    found = await statement(units)
    assert found.total == D("13000.00")
    assert found.calculation.difference == D("0.00")
    assert found.credited == D("120000.00") and found.attainment == D("120.0000")


async def test_a_deal_lost_after_won_is_clawed_back(units: UnitOfWorkFactory) -> None:
    await handle(units, "coxswain.deal.closed.v1", won("d-1", "80000.00"), "d-1")
    lost = await handle(units, "coxswain.deal.closed.v1", won("d-1", "80000.00", outcome="lost"), "d-1")
    assert amounts(lost, REVERSED) == [("rep-1", "d-1", D("-8000.00"))]
    assert (await statement(units)).total == D("0.00")
    assert (await handle(units, "coxswain.deal.closed.v1", won("d-1", "80000.00", outcome="lost"), "d-1")).emitted == []


async def test_a_reopened_deal_is_clawed_back_once(units: UnitOfWorkFactory) -> None:
    reopened = ev.DealReopened(deal_id="d-1", stage_id="negotiation", reopened_at=CLOSED + timedelta(days=1))
    # reopening a deal never won changes nothing
    assert (await handle(units, "coxswain.deal.reopened.v1", reopened, "d-1")).emitted == []
    await handle(units, "coxswain.deal.closed.v1", won("d-1", "80000.00"), "d-1")
    first = await handle(units, "coxswain.deal.reopened.v1", reopened, "d-1")
    assert amounts(first, REVERSED) == [("rep-1", "d-1", D("-8000.00"))]
    assert (await handle(units, "coxswain.deal.reopened.v1", reopened, "d-1")).emitted == []
    assert (await statement(units)).total == D("0.00")


async def test_a_changed_amount_appends_the_difference(units: UnitOfWorkFactory) -> None:
    await handle(units, "coxswain.deal.closed.v1", won("d-1", "80000.00"), "d-1")
    bigger = ev.DealUpdated(deal_id="d-1", amount=D("120000.00"))
    changed = await handle(units, "coxswain.deal.updated.v1", bigger, "d-1")
    # 120,000: 100,000 at 10% = 10,000 + 20,000 at 15% = 3,000 = 13,000; 8,000 was paid, 5,000.00 appended
    assert amounts(changed, CALCULATED) == [("rep-1", "d-1", D("5000.00"))]
    assert (await statement(units)).total == D("13000.00")
    assert (await handle(units, "coxswain.deal.updated.v1", bigger, "d-1")).emitted == []


async def test_a_change_to_a_deal_not_won_changes_nothing(units: UnitOfWorkFactory) -> None:
    update = ev.DealUpdated(deal_id="d-9", amount=D("5000.00"))
    assert (await handle(units, "coxswain.deal.updated.v1", update, "d-9")).emitted == []
    await handle(units, "coxswain.deal.closed.v1", won("d-1", "80000.00"), "d-1")
    await handle(units, "coxswain.deal.reopened.v1",
                 ev.DealReopened(deal_id="d-1", stage_id="s", reopened_at=CLOSED + timedelta(days=1)), "d-1")
    # an update of the reopened deal arriving late does not pay it again
    late = await handle(units, "coxswain.deal.updated.v1", ev.DealUpdated(deal_id="d-1", amount=D("90000.00")), "d-1")
    assert late.emitted == []
    assert (await statement(units)).total == D("0.00")


async def test_a_new_owner_takes_a_deal_credited_wholly_to_its_owner(units: UnitOfWorkFactory) -> None:
    await handle(units, "coxswain.deal.closed.v1", won("d-1", "80000.00"), "d-1")
    moved = await handle(units, "coxswain.deal.updated.v1", ev.DealUpdated(deal_id="d-1", owner_id="rep-2"), "d-1")
    assert sorted(amounts(moved, CALCULATED) + amounts(moved, REVERSED)) == [
        ("rep-1", "d-1", D("-8000.00")), ("rep-2", "d-1", D("8000.00"))]
    page = await commissions.lines(units(), OPS, "rep-2", LineFilter(), None, 10)
    assert [line.amount for line in page.rows] == [D("8000.00")]


async def test_reps_and_teams_give_a_manager_their_teams_below(units: UnitOfWorkFactory) -> None:
    for team_id, parent in (("emea", None), ("emea-north", "emea"), ("apac", None)):
        await handle(units, "coxswain.team.upserted.v1",
                     ev.TeamUpserted(team_id=team_id, name=team_id, parent_team_id=parent), team_id)
    for rep_id, team_id in (("rep-1", "emea"), ("rep-2", "emea-north"), ("rep-3", "apac")):
        await handle(units, "coxswain.rep.upserted.v1",
                     ev.RepUpserted(rep_id=rep_id, name=rep_id, email=f"{rep_id}@x.test", team_id=team_id, capacity=5),
                     rep_id)
    manager = Principal(sub="m", roles=frozenset({"manager"}), rep_id="m-1", team_ids=frozenset({"emea"}))
    uow = units()
    async with uow:
        assert await visible_reps(uow.session, manager) == ["m-1", "rep-1", "rep-2"]
    # the same rep again, moved to apac: the copy follows (upsert), the same fact twice changes nothing more
    moved = ev.RepUpserted(rep_id="rep-2", name="rep-2", email="r@x.test", team_id="apac", capacity=5)
    for _ in range(2):
        await handle(units, "coxswain.rep.upserted.v1", moved, "rep-2")
    async with uow:
        assert await visible_reps(uow.session, manager) == ["m-1", "rep-1"]
