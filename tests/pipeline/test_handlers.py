"""Pipeline's event handlers driven the consumer's way (open the unit of work, skip what the inbox has seen,
call the handler, commit) over an in-memory database: outcomes read back through pipeline's own queries."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.pipeline.db import pipelines_repo
from services.pipeline.db.models import metadata
from services.pipeline.db.repository import DealFilter
from services.pipeline.domain.pipelines import default_pipeline
from services.pipeline.handlers import EVENT_HANDLERS
from services.pipeline.queries import analytics, deals
from shared.clock import FixedClock
from shared.db.uow import UnitOfWork, UnitOfWorkFactory
from shared.errors import NotFoundError
from shared.events import CloudEvent, PoisonEvent
from shared.events import catalog as ev
from shared.http.auth import Principal
from shared.messaging.inbox import Inbox
from shared.testing.memory import incoming, memory_units

pytestmark = pytest.mark.unit
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADMIN = Principal("admin-1", frozenset({"admin"}))
CONVERTED, REP, TEAM = "coxswain.lead.converted.v1", "coxswain.rep.upserted.v1", "coxswain.team.upserted.v1"


@pytest.fixture
async def units() -> AsyncIterator[UnitOfWorkFactory]:
    clock = FixedClock(START)
    async with memory_units("pipeline", metadata, clock) as units:
        uow = units()
        async with uow:  # what migration 0004 does in a real database
            await pipelines_repo.add_pipeline(uow.session, default_pipeline(START))
            await uow.commit()
        yield units


async def consume(units: UnitOfWorkFactory, event: CloudEvent) -> UnitOfWork:
    """One event as the consumer takes it: inbox verdict, handler, inbox record, one commit."""
    uow = units()
    async with uow:
        inbox = await Inbox.load(uow, "pipeline", [event])
        handled = inbox.verdict(event) == "handled"
        if handled:
            await EVENT_HANDLERS[event.type](event, uow)
        inbox.record(event, handled=handled)
        await inbox.save(uow)
        await uow.commit()
    return uow


def converted(lead_id: str = "lead-1", deal_id: str = "deal-1", amount: str = "1200.00", owner: str = "ana",
              sequence: int = 1) -> CloudEvent:
    data = ev.LeadConverted(lead_id=lead_id, deal_id=deal_id, owner_id=owner, company="Acme",
                            amount=Decimal(amount), currency="EUR", territory_id="west")
    return incoming(CONVERTED, data, subject=lead_id, clock=FixedClock(START), sequence=sequence, source="leads")


def rep(rep_id: str, team_id: str | None, sequence: int) -> CloudEvent:
    data = ev.RepUpserted(rep_id=rep_id, name=rep_id.title(), email=f"{rep_id}@example.com", team_id=team_id,
                          capacity=10)
    return incoming(REP, data, subject=rep_id, clock=FixedClock(START), sequence=sequence, source="territory")


def team(team_id: str, parent: str | None, sequence: int, manager: str | None = None) -> CloudEvent:
    data = ev.TeamUpserted(team_id=team_id, name=team_id.upper(), manager_rep_id=manager, parent_team_id=parent)
    return incoming(TEAM, data, subject=team_id, clock=FixedClock(START), sequence=sequence, source="territory")


async def test_a_conversion_opens_one_deal_in_the_first_stage_of_the_default_pipeline(units: UnitOfWorkFactory,
                                                                                       ) -> None:
    uow = await consume(units, converted())
    assert [e.type for e in uow.emitted] == ["coxswain.deal.created.v1"]
    created = uow.emitted[0].data
    assert (created.deal_id, created.stage_id, created.probability, created.amount, created.lead_id) == (
        "deal-1", "qualification", 10, Decimal("1200.00"), "lead-1")
    deal = await deals.read_deal(units(), ADMIN, "deal-1")
    assert (deal.name, deal.owner_id, deal.pipeline_id, deal.status, deal.version) == (
        "Acme", "ana", "default", "open", 1)
    funnel = await analytics.funnel(units(), ADMIN, analytics.Ask("2026-03", "default"))
    assert [(s.stage.stage_id, s.stage.entered) for s in funnel.steps][:2] == [("qualification", 1), ("discovery", 0)]


async def test_the_same_conversion_again_even_under_a_new_event_id_changes_nothing(units: UnitOfWorkFactory) -> None:
    first = converted()
    await consume(units, first)
    again = await consume(units, first)  # redelivered: the inbox knows the id
    assert again.emitted == []
    later = await consume(units, converted(amount="9999.00", sequence=2))  # a new id, the same lead and deal
    assert later.emitted == []
    deal = await deals.read_deal(units(), ADMIN, "deal-1")
    assert (deal.amount, deal.version) == (Decimal("1200.00"), 1)
    listed = await deals.list_deals(units(), ADMIN, DealFilter(), None, 10)
    assert [d.id for d in listed.deals] == ["deal-1"]


async def test_an_amount_finer_than_cents_is_poison_and_leaves_nothing(units: UnitOfWorkFactory) -> None:
    with pytest.raises(PoisonEvent):
        await consume(units, converted(amount="10.005"))
    with pytest.raises(NotFoundError):
        await deals.read_deal(units(), ADMIN, "deal-1")


async def test_a_rep_copy_gives_the_converted_deal_its_team_and_an_older_copy_changes_nothing(
        units: UnitOfWorkFactory) -> None:
    await consume(units, rep("ana", "west", sequence=2))
    stale = await consume(units, rep("ana", "east", sequence=1))  # older than what was applied
    assert stale.emitted == []
    await consume(units, converted())
    assert (await deals.read_deal(units(), ADMIN, "deal-1")).team_id == "west"


async def test_team_parents_let_a_manager_see_the_sub_teams_deals(units: UnitOfWorkFactory) -> None:
    lead = Principal("mia", frozenset({"manager"}), rep_id="mia", team_ids=frozenset({"emea"}))
    await consume(units, rep("ana", "west", sequence=1))
    await consume(units, converted())
    assert (await deals.list_deals(units(), lead, DealFilter(), None, 10)).deals == []
    under_emea = team("west", "emea", sequence=2)
    await consume(units, under_emea)
    assert [d.id for d in (await deals.list_deals(units(), lead, DealFilter(), None, 10)).deals] == ["deal-1"]
    await consume(units, under_emea)  # the same fact twice
    await consume(units, team("west", None, sequence=1))  # an older fact after a newer one
    assert [d.id for d in (await deals.list_deals(units(), lead, DealFilter(), None, 10)).deals] == ["deal-1"]
