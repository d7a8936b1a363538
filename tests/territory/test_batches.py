"""Territory's handlers fed a log as one batch (EventDispatcher.dispatch_many: the batch handlers get runs of their
events) and one event at a time: the same rows (lead and deal books, quotas, rotation counters) and the same
lead.routed events in the same order, for several interleavings of the leads' and deals' events.

The organisation of test_handlers: `de` with ana (capacity 4) and bo (capacity 2), `rest` (default) with nobody,
so who takes a DE lead depends on the turns and on the loads the assignments and status changes before it left."""
from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy import select

from services.territory.commands import organisation
from services.territory.db.models import deal_book, lead_book, metadata, quotas, rotations
from services.territory.domain.territories import Rep, Team, build_territory
from services.territory.handlers import EVENT_HANDLERS
from shared.clock import FixedClock
from shared.db.plumbing import outbox
from shared.db.uow import UnitOfWork, UnitOfWorkFactory
from shared.events import CloudEvent, encode_event
from shared.events import catalog as ev
from shared.messaging.dispatch import EventDispatcher
from shared.observability.metrics import ServiceMetrics
from shared.testing.memory import incoming, memory_units

pytestmark = pytest.mark.unit

CLOCK = FixedClock(datetime(2026, 11, 15, 12, 0, tzinfo=UTC))
AT = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return AT + timedelta(minutes=minutes)


@asynccontextmanager
async def territory_units() -> AsyncIterator[UnitOfWorkFactory]:
    async with memory_units("territory", metadata, CLOCK) as factory:
        await organisation.create_team(factory(), Team("emea", "EMEA", None, None))
        await organisation.create_rep(factory(), Rep("ana", "Ana", "ana@corp.example", "emea", True, 4))
        await organisation.create_rep(factory(), Rep("bo", "Bo", "bo@corp.example", "emea", True, 2))
        await organisation.create_territory(factory(), build_territory("de", {
            "name": "Germany", "rep_ids": ["ana", "bo"],
            "rules": [{"conditions": [{"field": "country", "op": "eq", "value": "DE"}]}]}))
        await organisation.create_territory(factory(), build_territory("rest", {"name": "Rest", "is_default": True}))
        yield factory


def lifecycle(subject: str, steps: list[tuple[str, BaseModel]]) -> list[CloudEvent]:
    return [incoming(t, data, subject=subject, clock=CLOCK, sequence=k + 1) for k, (t, data) in enumerate(steps)]


def lead_lifecycles() -> list[list[CloudEvent]]:
    """Nine leads: created, some reassigned (to bo, filling him up), some closed (freeing their holder)."""
    out = []
    for i in range(9):
        lid = f"L{i}"
        steps: list[tuple[str, BaseModel]] = [("coxswain.lead.created.v1", ev.LeadCreated(
            lead_id=lid, country="JP" if i == 4 else "DE", created_at=at(i)))]
        if i % 3 == 0:
            steps.append(("coxswain.lead.assigned.v1", ev.LeadAssigned(
                lead_id=lid, rep_id="bo", territory_id="de", assigned_at=at(10 + i), reason="manual")))
        if i % 2 == 1:
            steps.append(("coxswain.lead.status_changed.v1", ev.LeadStatusChanged(
                lead_id=lid, from_status="new", to_status="disqualified" if i % 4 == 1 else "contacted",
                changed_at=at(20 + i))))
        out.append(lifecycle(lid, steps))
    # a status change of a lead before it was created: the row exists, so lead.created routes nothing
    out.append(lifecycle("L9", [
        ("coxswain.lead.status_changed.v1", ev.LeadStatusChanged(lead_id="L9", from_status="new",
                                                                 to_status="working", changed_at=at(3))),
        ("coxswain.lead.created.v1", ev.LeadCreated(lead_id="L9", country="DE", created_at=at(1)))]))
    return out


def deal_lifecycles() -> list[list[CloudEvent]]:
    out = []
    for i in range(4):
        did, amount = f"D{i}", Decimal(100 * (i + 1))
        steps: list[tuple[str, BaseModel]] = [
            ("coxswain.deal.created.v1", ev.DealCreated(
                deal_id=did, name=did, amount=amount, currency="EUR", owner_id="ana", pipeline_id="p",
                stage_id="s", probability=10, forecast_category="pipeline", lead_id=f"L{i}", created_at=at(30))),
            ("coxswain.deal.stage_changed.v1", ev.DealStageChanged(
                deal_id=did, from_stage_id="s", to_stage_id="t", probability=40, forecast_category="pipeline",
                amount=amount + 50, currency="EUR", owner_id="bo", changed_at=at(40))),
            ("coxswain.deal.updated.v1", ev.DealUpdated(deal_id=did, amount=amount + 60, updated_at=at(45),
                                                        splits=[ev.Split(rep_id="bo", percent=Decimal(100))])),
            ("coxswain.deal.closed.v1", ev.DealClosed(
                deal_id=did, outcome="won" if i % 2 else "lost", amount=amount + 60, currency="EUR",
                owner_id="bo", created_at=at(30), closed_at=at(50)))]
        if i == 3:
            steps.append(("coxswain.deal.reopened.v1", ev.DealReopened(deal_id=did, stage_id="s",
                                                                       reopened_at=at(60))))
        out.append(lifecycle(did, steps))
    out.append(lifecycle("ana", [("coxswain.quota.set.v1", ev.QuotaSet(
        rep_id="ana", period="2026-Q4", amount=Decimal(a), currency="EUR")) for a in ("1000.00", "2000.00")]))
    return out


def interleaved(lifecycles: list[list[CloudEvent]], seed: int) -> list[CloudEvent]:
    """Every aggregate's events in order, the aggregates mixed at random."""
    rng, pending, out = random.Random(seed), [list(reversed(x)) for x in lifecycles], []
    while pending:
        k = rng.randrange(len(pending))
        out.append(pending[k].pop())
        if not pending[k]:
            pending.pop(k)
    return out


async def state(units: UnitOfWorkFactory) -> dict[str, Any]:
    uow = units()
    async with uow:
        s = uow.session
        tables = {t.name: [tuple(r) for r in await s.execute(select(t).order_by(*t.primary_key.columns))]
                  for t in (lead_book, deal_book, quotas, rotations)}
        payloads = await s.execute(select(outbox.c.payload).where(outbox.c.event_type == "coxswain.lead.routed.v1")
                                   .order_by(outbox.c.id))
        routed = [{**json.loads(p)["data"], "sequence": json.loads(p)["sequence"]} for (p,) in payloads]
    return {**tables, "routed": routed}


async def applied(events: list[CloudEvent], *, as_batch: bool) -> dict[str, Any]:
    async with territory_units() as units:
        transactions = []

        def counted() -> UnitOfWork:
            transactions.append(units())
            return transactions[-1]

        dispatcher = EventDispatcher("territory", EVENT_HANDLERS, counted, metrics=ServiceMetrics("territory"))
        raws = [encode_event(e) for e in events]
        if as_batch:
            outcomes = await dispatcher.dispatch_many(raws)
            assert len(transactions) == 1  # the batch in one transaction: no fall back to one at a time
        else:
            outcomes = [await dispatcher.dispatch(raw) for raw in raws]
        assert {o.kind for o in outcomes} == {"handled"}
        return await state(units)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
async def test_a_batch_gives_the_rows_and_routings_one_event_at_a_time_gives(seed: int) -> None:
    events = interleaved(lead_lifecycles(), seed) + interleaved(deal_lifecycles(), seed)
    one_by_one = await applied(events, as_batch=False)
    assert len(one_by_one["routed"]) == 9 and len(one_by_one["lead_book"]) == 10  # L9 is never routed
    assert await applied(events, as_batch=True) == one_by_one


async def test_leads_and_deals_mixed_in_one_batch_give_the_same_rows() -> None:
    events = interleaved(lead_lifecycles() + deal_lifecycles(), 7)
    assert await applied(events, as_batch=True) == await applied(events, as_batch=False)


async def test_routing_in_a_batch_sees_the_loads_the_changes_before_it_left() -> None:
    """bo (capacity 2) is filled in the batch (a reassignment, a routing) and skipped, then freed by a
    disqualification; ana (4) fills up; the last lead finds nobody. Weights 4:2 (smooth round robin), by hand:
    L0 ana, L1 bo (bo full), L2 ana, L3 ana, L0 closed (bo has room), L4 ana, L5 ana (ana full), L6 bo (bo full),
    L7 nobody."""
    steps = [("L0", "coxswain.lead.created.v1", ev.LeadCreated(lead_id="L0", country="DE", created_at=at(0))),
             ("L0", "coxswain.lead.assigned.v1", ev.LeadAssigned(lead_id="L0", rep_id="bo", territory_id="de",
                                                                 assigned_at=at(1), reason="manual")),
             ("L1", "coxswain.lead.created.v1", ev.LeadCreated(lead_id="L1", country="DE", created_at=at(2))),
             ("L2", "coxswain.lead.created.v1", ev.LeadCreated(lead_id="L2", country="DE", created_at=at(3))),
             ("L3", "coxswain.lead.created.v1", ev.LeadCreated(lead_id="L3", country="DE", created_at=at(4))),
             ("L0", "coxswain.lead.status_changed.v1", ev.LeadStatusChanged(
                 lead_id="L0", from_status="new", to_status="disqualified", changed_at=at(5))),
             *[(f"L{i}", "coxswain.lead.created.v1", ev.LeadCreated(lead_id=f"L{i}", country="DE",
                                                                     created_at=at(2 + i))) for i in range(4, 8)]]
    seq: dict[str, int] = {}
    events = []
    for subject, event_type, data in steps:
        seq[subject] = seq.get(subject, 0) + 1
        events.append(incoming(event_type, data, subject=subject, clock=CLOCK, sequence=seq[subject]))
    batch = await applied(events, as_batch=True)
    assert batch == await applied(events, as_batch=False)
    assert [(r["lead_id"], r["rep_id"]) for r in batch["routed"]] == [
        ("L0", "ana"), ("L1", "bo"), ("L2", "ana"), ("L3", "ana"), ("L4", "ana"), ("L5", "ana"), ("L6", "bo"),
        ("L7", None)]


async def test_a_new_deal_in_a_batch_counts_where_its_lead_was_routed_earlier_in_the_same_batch() -> None:
    events = [
        incoming("coxswain.lead.created.v1", ev.LeadCreated(lead_id="L0", country="DE", created_at=at(0)),
                 subject="L0", clock=CLOCK),
        incoming("coxswain.deal.created.v1", ev.DealCreated(
            deal_id="D0", name="D0", amount=Decimal("100.00"), currency="EUR", owner_id="ana", pipeline_id="p",
            stage_id="s", probability=10, forecast_category="pipeline", lead_id="L0", created_at=at(1)),
                 subject="D0", clock=CLOCK),
        incoming("coxswain.lead.assigned.v1", ev.LeadAssigned(lead_id="L0", rep_id="bo", territory_id="rest",
                                                              assigned_at=at(2), reason="manual"),
                 subject="L0", clock=CLOCK, sequence=2)]
    batch = await applied(events, as_batch=True)
    assert batch == await applied(events, as_batch=False)
    assert [(r[0], r[1]) for r in batch["deal_book"]] == [("D0", "de")]  # routed to de before the deal came
