"""Deal events taken as a run (the batch handler): the domain's net change per row, hand-computed; and the rows a
run leaves in the database equal to those the same events leave one at a time, in several orders."""
from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy import select

from services.forecast.db.models import (
    age_rows,
    cycle_stats,
    deal_stage_visits,
    event_history,
    forecast_deals,
    metadata,
    quotas,
    reps,
    stage_records,
    stage_rows,
    teams,
    territories,
    totals_rows,
)
from services.forecast.domain import organisation as org
from services.forecast.domain.cells import TOTALS
from services.forecast.domain.deals import DealChange, UnknownDeal, apply
from services.forecast.domain.organisation import org_rows
from services.forecast.domain.transitions import batch_effects
from services.forecast.handlers import EVENT_HANDLERS, keep_organisation, project_deals
from shared.clock import FixedClock
from shared.events import CloudEvent, PoisonEvent
from shared.events import catalog as ev
from shared.testing.memory import incoming, memory_units
from tests.forecast.streams import closed, created, moved, reopened

D = Decimal
NOW = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
CREATED = dict(owner_id="rep-1", territory_id="t-west", company="Acme", amount=D("1000.00"), currency="USD",
               pipeline_id="p1", stage_id="s1", probability=10, category="pipeline",
               expected_close_date=date(2026, 11, 15), created_at=datetime(2026, 10, 5, tzinfo=UTC))


@pytest.mark.unit
def test_a_run_nets_each_rows_change_and_skips_repeated_facts() -> None:
    changes = [DealChange("created", "d1", 1, CREATED),
               DealChange("updated", "d1", 2, {"amount": D("3000.00")}),
               DealChange("updated", "d1", 2, {"amount": D("9.00")}),  # the same sequence again: nothing
               DealChange("created", "d2", 1, {**CREATED, "owner_id": "rep-2", "probability": 50})]
    net = batch_effects(changes, {}, {})
    assert net.applied == [0, 1, 3]
    assert net.deals["d1"].amount == D("3000.00") and net.deals["d1"].version == 2
    rows = {(c.kind, c.key): c.measures for c in net.cell_rows()}
    # d1: 1,000 in then out, 3,000 in: 3,000 at 10% = 300, one deal; d2: 1,000 at 50% = 500
    assert rows[(TOTALS, ("2026-11", "rep", "rep-1", "USD", "pipeline"))] == (D("3000.00"), D("300"), D(1))
    assert rows[(TOTALS, ("2026-11", "rep", "rep-2", "USD", "pipeline"))] == (D("1000.00"), D("500"), D(1))
    assert rows[(TOTALS, ("2026-11", "company", "Acme", "USD", "pipeline"))] == (D("4000.00"), D("800"), D(2))
    assert net.new_visits == [("d1", "p1", "s1"), ("d2", "p1", "s1")]
    assert net.probability == {("p1", "s1"): 50}  # the last stated (d2's)
    assert net.outcomes == {} and net.cycles is None


@pytest.mark.unit
def test_a_run_counts_a_close_in_every_stage_seen_and_a_reopen_takes_it_out() -> None:
    known = apply(None, DealChange("created", "d1", 1, CREATED))
    assert known is not None
    won_at = datetime(2026, 11, 4, tzinfo=UTC)  # 30 days after 5 October
    changes = [DealChange("stage_changed", "d1", 2, {**CREATED, "stage_id": "s2", "probability": 60}),
               DealChange("closed", "d1", 3, {"status": "won", "closed_at": won_at})]
    net = batch_effects(changes, {"d1": known}, {"d1": {("p1", "s0"), ("p1", "s1")}})
    assert net.new_visits == [("d1", "p1", "s2")]
    # won once in each of s0, s1 (seen before the run) and s2; one won deal of 30 days
    assert net.outcomes == {("p1", "s0"): [1, 0], ("p1", "s1"): [1, 0], ("p1", "s2"): [1, 0]}
    assert net.cycles == [1, 30]
    assert net.probability == {("p1", "s2"): 60}  # closing keeps the stage and its probability

    again = batch_effects([DealChange("reopened", "d1", 4, {"stage_id": "s1", "probability": 20})],
                          {"d1": net.deals["d1"]}, net.visits)
    assert again.outcomes == {("p1", "s0"): [-1, 0], ("p1", "s1"): [-1, 0], ("p1", "s2"): [-1, 0]}
    assert again.cycles == [-1, -30] and again.probability == {("p1", "s1"): 20} and again.new_visits == []


@pytest.mark.unit
def test_an_update_of_an_unseen_deal_fails_the_whole_run() -> None:
    with pytest.raises(UnknownDeal):
        batch_effects([DealChange("created", "d1", 1, CREATED), DealChange("updated", "d9", 1, {"amount": D(5)})],
                      {}, {})


# --- the database rows: a run against one event at a time -------------------------------------------------------

TABLES = (forecast_deals, totals_rows, stage_rows, age_rows, deal_stage_visits, stage_records, cycle_stats)


def lifecycles(rng: random.Random, deals: int) -> list[list[tuple[str, BaseModel, int]]]:
    """Per deal, its events in sequence order: created, stage moves, amount changes, closes and reopens, with
    a repeated event now and then (a redelivery under another event id, or an older sequence)."""
    out = []
    for n in range(deals):
        deal_id, owner = f"d{n}", f"rep-{rng.randrange(3)}"
        amount = D(rng.randrange(1, 50) * 1000)
        start = datetime(2026, 9, 1, 9, tzinfo=UTC) + timedelta(days=rng.randrange(40))
        close = date(2026, rng.choice((10, 11, 12)), rng.randrange(1, 28))
        seq, events = 1, [("coxswain.deal.created.v1",
                           created(deal_id, str(amount), owner=owner, close=close, at=start,
                                   company=rng.choice(("Acme", "Globex")),
                                   probability=10), 1)]
        is_open = True
        for _ in range(rng.randrange(1, 7)):
            seq += 1
            roll = rng.random()
            if not is_open:
                stage = rng.choice(("s1", "s2"))
                events.append(("coxswain.deal.reopened.v1", reopened(
                    deal_id, stage=stage, probability=30, category="best_case", amount=str(amount),
                    owner=owner, at=start + timedelta(days=seq)), seq))
                is_open = True
            elif roll < 0.35:
                stage, probability = rng.choice((("s2", 40), ("s3", 70), ("s4", 90)))
                owner = rng.choice((owner, owner, "rep-9"))
                events.append(("coxswain.deal.stage_changed.v1", moved(
                    deal_id, str(amount), to=stage, probability=probability, category="commit", owner=owner,
                    close=close, at=start + timedelta(days=seq)), seq))
            elif roll < 0.6:
                amount += 500
                events.append(("coxswain.deal.updated.v1", ev.DealUpdated(deal_id=deal_id, amount=amount), seq))
            else:
                events.append(("coxswain.deal.closed.v1", closed(
                    deal_id, str(amount), rng.choice(("won", "lost")), owner=owner,
                    at=start + timedelta(days=seq + 20), created_at=start), seq))
                is_open = False
            if rng.random() < 0.2:
                events.append(events[rng.randrange(len(events))])  # a repeat (or an older fact)
        out.append(events)
    return out


def interleave(rng: random.Random, per_deal: list[list[tuple[str, BaseModel, int]]]) -> list[CloudEvent]:
    """The deals' events merged in a random order that keeps each deal's own order (as a partition does)."""
    clock = FixedClock(NOW)
    queues = [list(events) for events in per_deal]
    out = []
    while any(queues):
        queue = rng.choice([q for q in queues if q])
        event_type, data, seq = queue.pop(0)
        clock.advance(seconds=1)
        out.append(incoming(event_type, data, subject=data.deal_id, clock=clock, sequence=seq))
    return out


async def rows_after(runs: Sequence[Sequence[CloudEvent]]) -> dict[str, Any]:
    """Every projection table's rows (and the kept history in order) after handing over these runs, each in
    its own unit of work, as the consumer does."""
    async with memory_units("forecast", metadata, FixedClock(NOW)) as units:
        for run in runs:
            uow = units()
            async with uow:
                await project_deals.run(run, uow)
                await uow.commit()
        uow = units()
        async with uow:
            out: dict[str, Any] = {t.name: sorted(tuple(r) for r in (await uow.session.execute(select(t))).all())
                                   for t in TABLES}
            out["history"] = [tuple(r) for r in (await uow.session.execute(select(
                event_history.c.occurred_at, event_history.c.subject, event_history.c.payload).order_by(
                event_history.c.id))).all()]
    return out


ORDER_FREE = ("forecast_deals", "totals_rows", "stage_rows", "age_rows", "deal_stage_visits", "cycle_stats")


async def test_a_run_leaves_the_rows_one_event_at_a_time_leaves_in_any_order() -> None:
    rng = random.Random(14)
    per_deal = lifecycles(rng, 12)
    first: dict[str, Any] | None = None
    for _ in range(3):  # three orders of the same events (each deal's kept)
        events = interleave(rng, per_deal)
        one_by_one = await rows_after([[e] for e in events])
        assert one_by_one["totals_rows"] and one_by_one["stage_records"]
        assert await rows_after([events]) == one_by_one  # the whole stream as one run
        assert await rows_after([events[:17], events[17:40], events[40:]]) == one_by_one  # and as three
        if first is None:
            first = one_by_one
        else:  # the stage probability last stated and the history's order follow the order; the rest does not
            assert {k: one_by_one[k] for k in ORDER_FREE} == {k: first[k] for k in ORDER_FREE}
            assert [r[:2] + r[3:] for r in one_by_one["stage_records"]] == \
                [r[:2] + r[3:] for r in first["stage_records"]]


async def test_a_run_with_an_unseen_deal_is_poison_as_a_whole_and_its_events_go_one_by_one() -> None:
    clock = FixedClock(NOW)
    good = incoming("coxswain.deal.created.v1", created("d1", "1000.00"), subject="d1", clock=clock)
    bad = incoming("coxswain.deal.updated.v1", ev.DealUpdated(deal_id="d9", amount=D(5)), subject="d9",
                   clock=clock, sequence=2)
    async with memory_units("forecast", metadata, clock) as units:
        with pytest.raises(PoisonEvent):
            async with units() as uow:
                await project_deals.run([good, bad], uow)
        for event in (good, bad):  # the dispatcher's fallback: one event each
            uow = units()
            try:
                async with uow:
                    await EVENT_HANDLERS[event.type](event, uow)
                    await uow.commit()
            except PoisonEvent:
                assert event is bad
        async with units() as uow:
            assert (await uow.session.execute(select(forecast_deals.c.deal_id))).scalars().all() == ["d1"]


@pytest.mark.unit
def test_organisation_events_leave_each_keys_last_values_and_a_deletion_after_an_upsert() -> None:
    rows = org_rows([org.Rep("rep-1", "Ann", "west", True), org.Quota("rep-1", "2026-Q4", D(5), "USD"),
                     org.Rep("rep-1", "Ann B", "east", True), org.Quota("rep-1", "2026-Q4", D(7), "USD"),
                     org.Territory("t1", "T1", None, ("rep-1",)), org.TerritoryGone("t1"),
                     org.TerritoryGone("t2"), org.Territory("t3", "T3", None, ()), org.TerritoryGone("t3"),
                     org.Territory("t3", "T3 again", None, ("rep-2",))])
    assert rows.reps == {"rep-1": org.Rep("rep-1", "Ann B", "east", True)}
    assert rows.quotas == {("rep-1", "2026-Q4"): org.Quota("rep-1", "2026-Q4", D(7), "USD")}
    assert rows.territories == {"t1": org.Territory("t1", "T1", None, ("rep-1",), deleted=True),
                                "t3": org.Territory("t3", "T3 again", None, ("rep-2",))}
    assert rows.gone == {"t2"}  # stored before the run: marked deleted there


async def test_organisation_events_as_a_run_leave_the_rows_one_at_a_time_leaves() -> None:
    clock = FixedClock(NOW)
    events = [incoming(t, data, subject=s, clock=clock) for t, data, s in (
        ("coxswain.territory.upserted.v1", ev.TerritoryUpserted(territory_id="t2", name="T2", rep_ids=[]), "t2"),
        ("coxswain.team.upserted.v1", ev.TeamUpserted(team_id="west", name="West"), "west"),
        ("coxswain.rep.upserted.v1", ev.RepUpserted(rep_id="rep-1", name="Ann", email="a@example.com",
                                                    team_id="west", capacity=5), "rep-1"),
        ("coxswain.quota.set.v1", ev.QuotaSet(rep_id="rep-1", period="2026-Q4", amount=D(5), currency="USD"),
         "rep-1:2026-Q4"),
        ("coxswain.territory.upserted.v1", ev.TerritoryUpserted(territory_id="t1", name="T1", rep_ids=["rep-1"]),
         "t1"),
        ("coxswain.quota.set.v1", ev.QuotaSet(rep_id="rep-1", period="2026-Q4", amount=D(9), currency="USD"),
         "rep-1:2026-Q4"),
        ("coxswain.territory.deleted.v1", ev.TerritoryDeleted(territory_id="t1"), "t1"),
        ("coxswain.territory.deleted.v1", ev.TerritoryDeleted(territory_id="t2"), "t2"))]
    tables = (reps, teams, territories, quotas)

    async def rows(runs: Sequence[Sequence[CloudEvent]]) -> dict[str, Any]:
        async with memory_units("forecast", metadata, clock) as units:
            for run in runs:
                async with units() as uow:
                    await keep_organisation.run(run, uow)
                    await uow.commit()
            async with units() as uow:
                out = {t.name: sorted(tuple(r) for r in (await uow.session.execute(select(t))).all())
                       for t in tables}
                out["history"] = (await uow.session.execute(select(event_history.c.payload).order_by(
                    event_history.c.id))).scalars().all()
                return out

    one_by_one = await rows([events[:1]] + [[e] for e in events[1:]])  # t2 stored before the others
    assert one_by_one["territories"] == [("t1", "T1", None, '["rep-1"]', True), ("t2", "T2", None, "[]", True)]
    assert one_by_one["quotas"] == [("rep-1", "2026-Q4", D("9.00"), "USD")]
    assert await rows([events[:1], events[1:]]) == one_by_one
