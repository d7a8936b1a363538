"""Forecast's event handlers driven the consumer's way (open a unit of work, call the handler, commit) over an
in-memory database: the outcome read back through forecast's queries. No broker, no server."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from pydantic import BaseModel

from services.forecast.db.models import metadata
from services.forecast.domain.methods import MethodSettings
from services.forecast.domain.periods import FiscalCalendar
from services.forecast.domain.report import Line
from services.forecast.handlers import EVENT_HANDLERS
from services.forecast.queries.forecasts import Question, read_forecast
from shared.clock import FixedClock
from shared.db.uow import UnitOfWork, UnitOfWorkFactory
from shared.events import PoisonEvent
from shared.events import catalog as ev
from shared.http.auth import Principal
from shared.testing.memory import incoming, memory_units
from tests.forecast.streams import closed, created, moved, reopened

NOW = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
OPS = Principal(sub="ops", roles=frozenset({"ops"}))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
async def units(clock: FixedClock) -> AsyncIterator[UnitOfWorkFactory]:
    async with memory_units("forecast", metadata, clock) as units:
        yield units


async def consume(units: UnitOfWorkFactory, clock: FixedClock, event_type: str, data: BaseModel, subject: str,
                  sequence: int = 1) -> UnitOfWork:
    """One event as the consumer hands it over: its unit of work open, committed after the handler."""
    uow = units()
    async with uow:
        await EVENT_HANDLERS[event_type](incoming(event_type, data, subject=subject, clock=clock, sequence=sequence),
                                         uow)
        await uow.commit()
    return uow


async def lines(units: UnitOfWorkFactory, group_by: str = "rep", *, who: Principal = OPS,
                as_of: datetime | None = None, method: str = "weighted") -> dict[str, Line]:
    q = Question("2026-Q4", group_by, NOW, FiscalCalendar(), MethodSettings(), as_of, method, "owner")
    return {ln.group: ln for ln in (await read_forecast(units(), who, q)).lines}


async def test_a_deal_is_projected_once_and_an_older_fact_changes_nothing(units: UnitOfWorkFactory,
                                                                          clock: FixedClock) -> None:
    deal = created("d1", "10000.00", probability=50, close=date(2026, 12, 20))
    uow = await consume(units, clock, "coxswain.deal.created.v1", deal, "d1", 1)
    assert uow.emitted == []  # forecast raises no event of its own for a consumed one
    rep1 = (await lines(units))["rep-1"]
    assert (rep1.figures.weighted, rep1.figures.open_pipeline, rep1.figures.closed_won) == (D(5000), D(10000), D(0))

    await consume(units, clock, "coxswain.deal.created.v1", deal, "d1", 1)  # the same fact again (a new event id)
    assert (await lines(units))["rep-1"].figures.weighted == D(5000)

    # to stage s2 at 80%: 10,000 × 80% = 8,000; then the older fact (sequence 1 again, 20%) changes nothing
    await consume(units, clock, "coxswain.deal.stage_changed.v1",
                  moved("d1", "10000.00", to="s2", probability=80, category="commit", close=date(2026, 12, 20)),
                  "d1", 2)
    await consume(units, clock, "coxswain.deal.stage_changed.v1",
                  moved("d1", "10000.00", to="s3", probability=20, category="pipeline", close=date(2026, 12, 20)),
                  "d1", 1)
    assert (await lines(units))["rep-1"].figures.weighted == D(8000)
    assert (await lines(units, method="category"))["rep-1"].figures.categories["commit"] == D(10000)


async def test_closing_and_reopening_move_the_deal_between_won_and_open(units: UnitOfWorkFactory,
                                                                        clock: FixedClock) -> None:
    await consume(units, clock, "coxswain.deal.created.v1", created("d1", "4000.00", probability=25), "d1", 1)
    await consume(units, clock, "coxswain.deal.closed.v1", closed("d1", "4000.00", "won"), "d1", 2)
    won = (await lines(units))["rep-1"].figures
    assert (won.closed_won, won.open_pipeline, won.weighted) == (D(4000), D(0), D(4000))  # won counts whole
    await consume(units, clock, "coxswain.deal.closed.v1", closed("d1", "4000.00", "won"), "d1", 2)  # again
    assert (await lines(units))["rep-1"].figures.closed_won == D(4000)

    await consume(units, clock, "coxswain.deal.reopened.v1",
                  reopened("d1", stage="s1", probability=50, category="pipeline", amount="4000.00"), "d1", 3)
    back = (await lines(units))["rep-1"].figures
    assert (back.closed_won, back.open_pipeline, back.weighted) == (D(0), D(4000), D(2000))  # 4,000 × 50%


async def test_an_update_of_a_deal_never_created_is_poison(units: UnitOfWorkFactory, clock: FixedClock) -> None:
    with pytest.raises(PoisonEvent):
        await consume(units, clock, "coxswain.deal.updated.v1", ev.DealUpdated(deal_id="d9", amount=D(5)), "d9", 2)
    assert await lines(units) == {}


async def test_the_kept_history_answers_as_of_an_earlier_instant(units: UnitOfWorkFactory, clock: FixedClock) -> None:
    await consume(units, clock, "coxswain.deal.created.v1", created("d1", "10000.00", probability=50), "d1", 1)
    before = clock.now()
    clock.advance(days=1)
    await consume(units, clock, "coxswain.deal.updated.v1", ev.DealUpdated(deal_id="d1", amount=D("6000.00")), "d1", 2)
    assert (await lines(units))["rep-1"].figures.weighted == D(3000)  # 6,000 × 50%
    assert (await lines(units, as_of=before))["rep-1"].figures.weighted == D(5000)  # 10,000 × 50% then


async def test_quotas_set_for_months_count_toward_the_quarter(units: UnitOfWorkFactory, clock: FixedClock) -> None:
    for month, amount in (("2026-10", "5000.00"), ("2026-11", "7000.00")):
        quota = ev.QuotaSet(rep_id="rep-1", period=month, amount=D(amount), currency="USD")
        await consume(units, clock, "coxswain.quota.set.v1", quota, f"rep-1:{month}")
        await consume(units, clock, "coxswain.quota.set.v1", quota, f"rep-1:{month}")  # the same fact twice
    assert (await lines(units))["rep-1"].quota == D(12000)  # 5,000 + 7,000, each counted once
    await consume(units, clock, "coxswain.quota.set.v1",
                  ev.QuotaSet(rep_id="rep-1", period="2026-Q4", amount=D("20000.00"), currency="USD"), "rep-1:2026-Q4")
    assert (await lines(units))["rep-1"].quota == D(20000)  # the quarter's own quota first


async def organise(units: UnitOfWorkFactory, clock: FixedClock) -> None:
    """Team west (rep-1) under americas (rep-3); territory t-west (rep-1) under t-amer (rep-3)."""
    for team, parent in (("americas", None), ("west", "americas")):
        await consume(units, clock, "coxswain.team.upserted.v1",
                      ev.TeamUpserted(team_id=team, name=team, parent_team_id=parent), team)
    for rep, team in (("rep-1", "west"), ("rep-3", "americas")):
        await consume(units, clock, "coxswain.rep.upserted.v1",
                      ev.RepUpserted(rep_id=rep, name=rep, email=f"{rep}@example.com", team_id=team, capacity=5), rep)
    for territory, parent, reps in (("t-amer", None, ["rep-3"]), ("t-west", "t-amer", ["rep-1"])):
        await consume(units, clock, "coxswain.territory.upserted.v1",
                      ev.TerritoryUpserted(territory_id=territory, name=territory, parent_id=parent, rep_ids=reps),
                      territory)


async def test_teams_roll_up_and_a_manager_sees_the_teams_below_theirs(units: UnitOfWorkFactory,
                                                                       clock: FixedClock) -> None:
    await organise(units, clock)
    await organise(units, clock)  # the same organisation again changes nothing
    await consume(units, clock, "coxswain.deal.created.v1", created("d1", "10000.00", probability=50), "d1", 1)
    await consume(units, clock, "coxswain.deal.created.v1",
                  created("d2", "2000.00", owner="rep-3", probability=50), "d2", 1)
    teams = await lines(units, "team")
    assert {g: ln.figures.weighted for g, ln in teams.items()} == {"west": D(5000), "americas": D(6000)}
    lead = Principal(sub="m", roles=frozenset({"manager"}), team_ids=frozenset({"americas"}))
    assert set(await lines(units, "team", who=lead)) == {"americas", "west"}  # west is below americas
    assert set(await lines(units, "rep", who=lead)) == {"rep-1", "rep-3"}


async def test_a_deleted_territory_leaves_the_tree(units: UnitOfWorkFactory, clock: FixedClock) -> None:
    await organise(units, clock)
    await consume(units, clock, "coxswain.quota.set.v1",
                  ev.QuotaSet(rep_id="rep-1", period="2026-Q4", amount=D("9000.00"), currency="USD"), "rep-1:2026-Q4")
    await consume(units, clock, "coxswain.deal.created.v1", created("d1", "10000.00", probability=50), "d1", 1)
    assert (await lines(units, "territory"))["t-west"].quota == D(9000)  # rep-1's quota, in t-west
    for _ in range(2):  # deleted twice: the same outcome
        await consume(units, clock, "coxswain.territory.deleted.v1", ev.TerritoryDeleted(territory_id="t-west"),
                      "t-west")
        west = (await lines(units, "territory"))["t-west"]
        assert (west.figures.weighted, west.quota) == (D(5000), None)  # its deals stay; no territory, no quota
