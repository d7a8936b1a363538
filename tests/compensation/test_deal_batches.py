"""Deal events handled as one batch leave the ledger as one-at-a-time handling does.

The same histories (closes, changes of amount, owner and splits, losses, reopens, re-closes, a deal never
won, a credit waiting for its plan, a deal in euros, a period already closed) go through the deal handler
one event per transaction, as one batch in several orders that keep each deal's own events in order, and in
two batches; the credits and deal facts must be the same rows, and the ledger the same total per rep and
quota period (and per deal, component, kind and tier within it).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from decimal import Decimal as D
from typing import Any

import pytest
from sqlalchemy import select

from services.compensation.commands import periods as period_commands
from services.compensation.commands import plans as plan_commands
from services.compensation.db.models import commission_lines, credits, deals, metadata
from services.compensation.handlers import EVENT_HANDLERS
from shared.clock import FixedClock
from shared.db.uow import UnitOfWorkFactory
from shared.events import CloudEvent
from shared.events import catalog as ev
from shared.messaging.dispatch import BatchHandler
from shared.testing.memory import incoming, memory_units

pytestmark = pytest.mark.unit
CLOCK = FixedClock(datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
Q3, Q4 = datetime(2026, 8, 3, 9, tzinfo=UTC), datetime(2026, 11, 10, 9, tzinfo=UTC)
PLAN = {"currency": "USD", "period_kind": "quarter", "cap_per_deal": "9000", "components": [
    {"kind": "tiers", "name": "quota", "mode": "marginal",
     "tiers": [{"from": "0", "rate": "0.10"}, {"from": "100", "rate": "0.15"}]},
    {"kind": "spif", "name": "big", "amount": "250.00", "criteria": {"min_amount": "50000"}}]}
CLOSED, REOPENED, UPDATED = "coxswain.deal.closed.v1", "coxswain.deal.reopened.v1", "coxswain.deal.updated.v1"


def won(deal_id: str, amount: str, splits: list[tuple[str, str]], at: datetime = Q4, currency: str = "USD",
        outcome: str = "won") -> tuple[str, Any]:
    return CLOSED, ev.DealClosed(deal_id=deal_id, outcome=outcome, amount=D(amount), currency=currency,  # type: ignore
                                 owner_id=splits[0][0], created_at=at, closed_at=at,
                                 splits=[ev.Split(rep_id=r, percent=D(p)) for r, p in splits])


def lost(deal_id: str) -> tuple[str, Any]:
    return won(deal_id, "1.00", [("rep-1", "100")], outcome="lost")


def reopened(deal_id: str) -> tuple[str, Any]:
    return REOPENED, ev.DealReopened(deal_id=deal_id, stage_id="negotiation", reopened_at=Q4)


def updated(deal_id: str, **change: Any) -> tuple[str, Any]:
    if "splits" in change:
        change["splits"] = [ev.Split(rep_id=r, percent=D(p)) for r, p in change["splits"]]
    return UPDATED, ev.DealUpdated(deal_id=deal_id, **change)


PRELUDE = [won("d-1", "60000.00", [("rep-1", "100")]), won("d-2", "70000.00", [("rep-2", "100")]),
           won("d-6", "40000.00", [("rep-1", "100")], at=Q3)]
HISTORIES = {  # per deal, in the order the producer sent them
    "d-1": [updated("d-1", amount=D("80000.00")), reopened("d-1"),
            won("d-1", "90000.00", [("rep-1", "50"), ("rep-2", "50")])],
    "d-2": [updated("d-2", owner_id="rep-1"), updated("d-2", amount=D("75000.00")), lost("d-2")],
    "d-3": [won("d-3", "50000.00", [("rep-1", "60"), ("rep-3", "40")]),
            updated("d-3", splits=[("rep-1", "100")])],
    "d-4": [reopened("d-4"), updated("d-4", amount=D("5.00")), lost("d-4"),
            won("d-4", "120000.00", [("rep-2", "100")], at=Q3)],
    "d-5": [won("d-5", "30000.00", [("rep-1", "100")], currency="EUR"), updated("d-5", amount=D("35000.00"))],
    "d-6": [updated("d-6", splits=[("rep-2", "100")]), updated("d-6", amount=D("40000.00"))],
}


def grouped() -> list[tuple[str, Any]]:
    return [e for events in HISTORIES.values() for e in events]


def round_robin(deal_order: list[str]) -> list[tuple[str, Any]]:
    queues = {d: list(HISTORIES[d]) for d in deal_order}
    out = []
    while any(queues.values()):
        for d in deal_order:
            if queues[d]:
                out.append(queues[d].pop(0))
    return out


ORDERS = {
    "grouped": grouped(),
    "round robin": round_robin(sorted(HISTORIES)),
    "round robin, deals reversed": round_robin(sorted(HISTORIES, reverse=True)),
    "last deal first": [e for d in ["d-6", "d-3", "d-5", "d-1", "d-4", "d-2"] for e in HISTORIES[d]],
}


@asynccontextmanager
async def database() -> AsyncIterator[UnitOfWorkFactory]:
    """A fresh database with the plan (rep-1 and rep-2, quotas for Q3 and Q4), a EUR rate, Q3 closed."""
    async with memory_units("compensation", metadata, CLOCK) as factory:
        await plan_commands.create_plan(factory(), plan_commands.CreatePlan("ae", "AE", date(2026, 1, 1), PLAN))
        for rep_id in ("rep-1", "rep-2"):  # rep-3 has no plan: its credit waits
            await plan_commands.assign_plan(factory(), plan_commands.AssignPlan("ae", rep_id, date(2026, 1, 1), None))
            for quarter in ("2026-Q3", "2026-Q4"):
                await plan_commands.set_quota(factory(), plan_commands.SetQuota(rep_id, quarter, D("100000.00"), "USD"))
        await period_commands.set_rate(factory(), period_commands.SetRate("EUR", "USD", date(2026, 1, 1), D("1.1")))
        await period_commands.close_period(factory(), "2026-Q3")  # Q3's late changes land in Q4
        yield factory


@pytest.fixture
async def units() -> AsyncIterator[UnitOfWorkFactory]:
    async with database() as factory:
        yield factory


def _events(sent: list[tuple[str, Any]]) -> list[CloudEvent]:
    return [incoming(t, data, subject=data.deal_id, clock=CLOCK) for t, data in sent]


async def _batch(units: UnitOfWorkFactory, sent: list[tuple[str, Any]]) -> None:
    """As the dispatcher does with a fetched batch: the run handed to the batch handler in one transaction."""
    handler = EVENT_HANDLERS[CLOSED]
    assert isinstance(handler, BatchHandler) and EVENT_HANDLERS[UPDATED] is EVENT_HANDLERS[REOPENED] is handler
    async with units() as uow:
        await handler.run(_events(sent), uow)
        await uow.commit()


async def _one_by_one(units: UnitOfWorkFactory, sent: list[tuple[str, Any]]) -> None:
    for event in _events(sent):
        async with units() as uow:
            await EVENT_HANDLERS[event.type](event, uow)
            await uow.commit()


async def _state(units: UnitOfWorkFactory) -> dict[str, Any]:
    async with units() as uow:
        lines = (await uow.session.execute(select(commission_lines))).all()
        credit_rows = (await uow.session.execute(select(credits).order_by(credits.c.deal_id, credits.c.rep_id))).all()
        deal_rows = (await uow.session.execute(select(deals).order_by(deals.c.deal_id))).all()
    per_rep_period: dict[tuple[str, str], D] = defaultdict(D)
    per_key: dict[tuple[Any, ...], D] = defaultdict(D)
    for x in lines:
        per_rep_period[(x.rep_id, x.quota_period)] += x.amount
        per_key[(x.rep_id, x.quota_period, x.period, x.deal_id, x.component, x.kind, x.tier)] += x.amount
    return {"per rep-period": {k: v for k, v in per_rep_period.items() if v},
            "per deal, component, kind, tier": {k: v for k, v in per_key.items() if v},
            "credits": [tuple(r) for r in credit_rows], "deals": [tuple(r) for r in deal_rows]}


async def _reference() -> dict[str, Any]:
    async with database() as units:
        await _one_by_one(units, PRELUDE + grouped())
        return await _state(units)


@pytest.mark.parametrize("order", list(ORDERS))
async def test_a_batch_leaves_the_ledger_as_one_event_at_a_time_does(units: UnitOfWorkFactory, order: str) -> None:
    expected = await _reference()
    await _one_by_one(units, PRELUDE)
    await _batch(units, ORDERS[order])
    got = await _state(units)
    assert got["per rep-period"] == expected["per rep-period"]
    assert got == expected
    # hand-checked anchors of the reference: d-3 all rep-1's at 10% (50,000 -> 5,000 + the 250 SPIF) ...
    assert expected["per deal, component, kind, tier"][("rep-1", "2026-Q4", "2026-Q4", "d-3", "big", "spif", None)] \
        == D("250.00")
    # ... and rep-3's credit, pending for want of a plan, cancelled when the splits moved it all to rep-1
    assert [r[3] for r in expected["credits"] if r[1] == "rep-3"] == ["cancelled"]


async def test_two_batches_in_a_row_leave_the_ledger_as_one_at_a_time_does(units: UnitOfWorkFactory) -> None:
    expected = await _reference()
    sent = ORDERS["round robin"]
    await _batch(units, PRELUDE)
    await _batch(units, sent[:7])
    await _batch(units, sent[7:])
    assert await _state(units) == expected
