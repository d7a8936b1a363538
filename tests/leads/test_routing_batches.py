"""lead.routed as a batch handler: a run of routing decisions through the dispatcher at once leaves the leads,
their assignment history and the lead.assigned events exactly as the same decisions one event at a time, in
several interleavings (several decisions per lead, the same decision twice, to nobody, an unknown and a
converted lead)."""
from __future__ import annotations

import itertools
import json
import random
import types
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from services.leads import commands
from services.leads.commands import intake
from services.leads.db.models import lead_assignments, leads, metadata
from services.leads.handlers import EVENT_HANDLERS
from shared.clock import FixedClock
from shared.db.plumbing import outbox
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent, encode_event
from shared.events import catalog as ev
from shared.http.auth import Principal
from shared.messaging.dispatch import EventDispatcher
from shared.observability.metrics import ServiceMetrics
from shared.testing.memory import incoming, memory_units

pytestmark = pytest.mark.unit
CLOCK = FixedClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
OPS = Principal(sub="test-ops", roles=frozenset({"ops"}))
LEADS = ["lead-a", "lead-b", "lead-c", "lead-d"]  # lead-d is converted before the routing


def decisions() -> list[list[CloudEvent]]:
    plans: dict[str, list[str | None]] = {
        "lead-a": ["ana", "ana", "bo", None], "lead-b": [None, "bo", "bo"], "lead-c": ["cy"],
        "lead-d": ["ana"], "no-such-lead": ["ana"]}
    return [[incoming("coxswain.lead.routed.v1", ev.LeadRouted(
        lead_id=lead, rep_id=rep, territory_id="emea" if k % 2 == 0 else "dach", reason=f"rules {k}"),
        subject=lead, clock=CLOCK, sequence=k + 1, source="territory") for k, rep in enumerate(reps)]
        for lead, reps in plans.items()]


def interleaved(lifecycles: list[list[CloudEvent]], seed: int) -> list[CloudEvent]:
    rng, pending, out = random.Random(seed), [list(reversed(x)) for x in lifecycles], []
    while pending:
        k = rng.randrange(len(pending))
        out.append(pending[k].pop())
        if not pending[k]:
            pending.pop(k)
    return out


async def applied(events: list[CloudEvent], *, as_batch: bool, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    ids = iter(itertools.cycle(LEADS))
    monkeypatch.setattr(intake, "uuid", types.SimpleNamespace(uuid4=lambda: next(ids)))
    async with memory_units("leads", metadata, CLOCK) as units:
        for k, _ in enumerate(LEADS):
            await commands.capture_lead(units(), {"email": f"p{k}@example.com", "name": f"P{k}", "source": "api"},
                                        "api:test")
        await commands.convert_lead(units(), "lead-d", Decimal("100.00"), "EUR", OPS)
        transactions: list[UnitOfWork] = []

        def counted() -> UnitOfWork:
            transactions.append(units())
            return transactions[-1]

        dispatcher = EventDispatcher("leads", EVENT_HANDLERS, counted, metrics=ServiceMetrics("leads"))
        raws = [encode_event(e) for e in events]
        outcomes = (await dispatcher.dispatch_many(raws) if as_batch
                    else [await dispatcher.dispatch(raw) for raw in raws])
        assert {o.kind for o in outcomes} == {"handled"}
        assert len(transactions) == (1 if as_batch else len(events))
        uow = units()
        async with uow:
            s = uow.session
            rows = [tuple(r) for r in await s.execute(select(leads).order_by(leads.c.id))]
            history = [tuple(r)[1:] for r in await s.execute(select(lead_assignments).order_by(lead_assignments.c.id))]
            published = [(r.key, r.event_type, json.loads(r.payload)["sequence"], json.loads(r.payload)["data"])
                         for r in await s.execute(select(outbox).order_by(outbox.c.id))]
        return {"leads": rows, "history": sorted(history, key=repr), "events": published}


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_a_batch_of_routings_gives_what_one_at_a_time_gives(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    events = interleaved(decisions(), seed)
    one_by_one = await applied(events, as_batch=False, monkeypatch=monkeypatch)
    batch = await applied(events, as_batch=True, monkeypatch=monkeypatch)
    assert batch == one_by_one  # the events too, in the same order
    per_lead = sorted(batch["events"], key=lambda e: (e[0], e[2]))  # each lead's events in its own order
    # by hand: lead-a to ana (emea), ana in dach (a move), bo (emea), nobody (dach); lead-b to nobody in emea
    # (nobody held it: its territory is kept, no event), bo (dach), bo in emea (a move); lead-c to cy; lead-d is
    # converted and no-such-lead unknown: nothing
    assigned = [(e[0], e[3]["rep_id"], e[3]["territory_id"]) for e in per_lead if e[1] == "coxswain.lead.assigned.v1"]
    assert assigned == [("lead-a", "ana", "emea"), ("lead-a", "ana", "dach"), ("lead-a", "bo", "emea"),
                        ("lead-a", None, "dach"), ("lead-b", "bo", "dach"), ("lead-b", "bo", "emea"),
                        ("lead-c", "cy", "emea")]
