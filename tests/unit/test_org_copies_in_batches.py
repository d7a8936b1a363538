"""Leads' and pipeline's copies of the organisation (rep.upserted, team.upserted) as batch handlers: a run of
upserts leaves the last copy of each rep and team (hand-computed), and a batch through the dispatcher gives the
rows one event at a time gives, in several interleavings."""
from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, select

from services.leads.db import models as leads_models
from services.leads.domain import org as leads_org
from services.leads.handlers import EVENT_HANDLERS as LEADS_HANDLERS
from services.pipeline.db import models as pipeline_models
from services.pipeline.domain import org as pipeline_org
from services.pipeline.handlers import EVENT_HANDLERS as PIPELINE_HANDLERS
from shared.clock import FixedClock
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent, encode_event
from shared.events import catalog as ev
from shared.messaging.dispatch import EventDispatcher, Handler
from shared.observability.metrics import ServiceMetrics
from shared.testing.memory import incoming, memory_units

pytestmark = pytest.mark.unit
CLOCK = FixedClock(datetime(2026, 11, 15, 12, 0, tzinfo=UTC))


def test_the_last_copy_of_each_rep_and_team_is_kept() -> None:
    ana1 = leads_org.RepCopy(leads_org.Rep("ana", "emea", True, 4), "Ana")
    ana2 = leads_org.RepCopy(leads_org.Rep("ana", "dach", False, 4), "Ana B.")
    emea = leads_org.TeamCopy("emea", "mia", None)
    assert leads_org.latest([ana1, emea, ana2]) == ({"ana": ana2}, {"emea": emea})
    bo1, bo2 = pipeline_org.RepCopy("bo", "Bo", None, True), pipeline_org.RepCopy("bo", "Bo", "emea", True)
    dach = pipeline_org.TeamCopy("dach", "DACH", None, "emea")
    assert pipeline_org.latest([bo1, dach, bo2]) == ({"bo": bo2}, {"dach": dach})


def upserts() -> list[list[CloudEvent]]:
    """Each rep and team upserted a few times, in its own order (sequence per subject)."""
    out = []
    for r in range(4):
        rid = f"rep-{r}"
        out.append([incoming("coxswain.rep.upserted.v1", ev.RepUpserted(
            rep_id=rid, name=f"Rep {r}.{k}", email=f"{rid}@example.com", team_id=f"team-{(r + k) % 3}",
            active=k % 2 == 0, capacity=k + r), subject=rid, clock=CLOCK, sequence=k + 1, source="territory")
            for k in range(3)])
    for t in range(3):
        tid = f"team-{t}"
        out.append([incoming("coxswain.team.upserted.v1", ev.TeamUpserted(
            team_id=tid, name=f"T{t}.{k}", manager_rep_id=f"rep-{k}", parent_team_id=None if t == 0 else "team-0"),
            subject=tid, clock=CLOCK, sequence=k + 1, source="territory") for k in range(2)])
    return out


def interleaved(lifecycles: list[list[CloudEvent]], seed: int) -> list[CloudEvent]:
    rng, pending, out = random.Random(seed), [list(reversed(x)) for x in lifecycles], []
    while pending:
        k = rng.randrange(len(pending))
        out.append(pending[k].pop())
        if not pending[k]:
            pending.pop(k)
    return out


async def rows(service: str, metadata: MetaData, tables: list[Table], handlers: dict[str, Handler],
               events: list[CloudEvent], *, as_batch: bool) -> dict[str, list[Any]]:
    async with memory_units(service, metadata, CLOCK) as units:
        transactions: list[UnitOfWork] = []

        def counted() -> UnitOfWork:
            transactions.append(units())
            return transactions[-1]

        dispatcher = EventDispatcher(service, handlers, counted, metrics=ServiceMetrics(service))
        raws = [encode_event(e) for e in events]
        outcomes = (await dispatcher.dispatch_many(raws) if as_batch
                    else [await dispatcher.dispatch(raw) for raw in raws])
        assert {o.kind for o in outcomes} == {"handled"}
        assert len(transactions) == (1 if as_batch else len(events))
        uow = units()
        async with uow:
            return {t.name: [tuple(r) for r in await uow.session.execute(select(t).order_by(*t.primary_key))]
                    for t in tables}


CASES: dict[str, Callable[[], tuple[MetaData, list[Table], dict[str, Handler]]]] = {
    "leads": lambda: (leads_models.metadata, [leads_models.reps, leads_models.teams], LEADS_HANDLERS),
    "pipeline": lambda: (pipeline_models.metadata, [pipeline_models.reps, pipeline_models.teams], PIPELINE_HANDLERS),
}


@pytest.mark.parametrize("service", sorted(CASES))
@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_a_batch_of_upserts_gives_the_rows_one_at_a_time_gives(service: str, seed: int) -> None:
    metadata, tables, handlers = CASES[service]()
    events = interleaved(upserts(), seed)
    batch = await rows(service, metadata, tables, handlers, events, as_batch=True)
    assert batch == await rows(service, metadata, tables, handlers, events, as_batch=False)
    assert len(batch["reps"]) == 4 and len(batch["teams"]) == 3
    assert [r[1] for r in batch["reps"]] == ["Rep 0.2", "Rep 1.2", "Rep 2.2", "Rep 3.2"]  # the last names
