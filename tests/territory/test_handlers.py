"""Territory's event handlers, driven the consumer's way (open a unit of work, handle, commit) over an in-memory
database with the service's real tables: what is kept, what is announced, and that a repeated or older fact
changes nothing. No broker, no server.

The organisation: territory `de` (country DE) with ana (capacity 4) and bo (capacity 2); `rest`, the default,
with nobody. Weighted round robin by capacity: the first DE lead goes to ana, the second to bo."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import BaseModel

from services.territory import queries
from services.territory.commands import organisation
from services.territory.db.models import metadata
from services.territory.domain.coverage import Figures
from services.territory.domain.territories import Rep, Team, Territory, build_territory
from services.territory.handlers import EVENT_HANDLERS
from shared.clock import FixedClock
from shared.db.uow import UnitOfWorkFactory
from shared.events import CloudEvent
from shared.events import catalog as ev
from shared.http.auth import Principal
from shared.testing.memory import incoming, memory_units

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
AT = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
CLOCK = FixedClock(NOW)
OPS = Principal(sub="ops", roles=frozenset({"ops"}))
Q4 = "2026-Q4"


def at(minutes: int) -> datetime:
    return AT + timedelta(minutes=minutes)


@pytest.fixture
async def units() -> AsyncIterator[UnitOfWorkFactory]:
    async with memory_units("territory", metadata, CLOCK) as factory:
        await organisation.create_team(factory(), Team("emea", "EMEA", None, None))
        await organisation.create_rep(factory(), Rep("ana", "Ana", "ana@corp.example", "emea", True, 4))
        await organisation.create_rep(factory(), Rep("bo", "Bo", "bo@corp.example", "emea", True, 2))
        de: Territory = build_territory("de", {"name": "Germany", "rep_ids": ["ana", "bo"], "rules": [
            {"conditions": [{"field": "country", "op": "eq", "value": "DE"}]}]})
        await organisation.create_territory(factory(), de)
        await organisation.create_territory(factory(), build_territory("rest", {"name": "Rest", "is_default": True}))
        yield factory


async def consume(units: UnitOfWorkFactory, event_type: str, data: BaseModel, subject: str) -> list[CloudEvent]:
    """One event as the consumer applies it (a new event id each time); the events the handler emitted."""
    uow = units()
    async with uow:
        await EVENT_HANDLERS[event_type](incoming(event_type, data, subject=subject, clock=CLOCK), uow)
        await uow.commit()
    return uow.emitted


async def per_rep(units: UnitOfWorkFactory) -> dict[str, Figures]:
    found = await queries.coverage(units(), OPS, Q4, rollup=False)
    return {rep.id: figures for rep, figures in found.reps}


async def per_territory(units: UnitOfWorkFactory) -> dict[str, Figures]:
    found = await queries.coverage(units(), OPS, Q4, rollup=False)
    return {t.id: figures for t, figures in found.territories}


def routed(events: list[CloudEvent]) -> list[tuple[str, str | None, str | None]]:
    return [(e.data.lead_id, e.data.territory_id, e.data.rep_id) for e in events
            if e.type == "coxswain.lead.routed.v1"]


async def create_lead(units: UnitOfWorkFactory, lead_id: str, country: str) -> list[CloudEvent]:
    return await consume(units, "coxswain.lead.created.v1",
                         ev.LeadCreated(lead_id=lead_id, country=country, created_at=AT), lead_id)


async def test_a_new_lead_is_routed_once(units: UnitOfWorkFactory) -> None:
    assert routed(await create_lead(units, "L1", "DE")) == [("L1", "de", "ana")]
    assert routed(await create_lead(units, "L2", "DE")) == [("L2", "de", "bo")]
    assert routed(await create_lead(units, "L3", "JP")) == [("L3", "rest", None)]
    assert routed(await create_lead(units, "L1", "DE")) == []  # the same lead again: the rotation does not move
    reps = await per_rep(units)
    assert (reps["ana"].open_leads, reps["bo"].open_leads) == (1, 1)
    assert (await per_territory(units))["rest"].waiting_without_rep == 1


async def test_an_assignment_moves_the_lead_unless_an_older_one(units: UnitOfWorkFactory) -> None:
    await create_lead(units, "L1", "DE")  # ana
    assigned = ev.LeadAssigned(lead_id="L1", rep_id="bo", territory_id="de", assigned_at=at(10), reason="manual")
    assert await consume(units, "coxswain.lead.assigned.v1", assigned, "L1") == []
    older = ev.LeadAssigned(lead_id="L1", rep_id="ana", territory_id="de", assigned_at=at(5), reason="manual")
    await consume(units, "coxswain.lead.assigned.v1", older, "L1")
    await consume(units, "coxswain.lead.assigned.v1", assigned, "L1")  # the same fact twice
    reps = await per_rep(units)
    assert (reps["ana"].open_leads, reps["bo"].open_leads) == (0, 1)


async def test_status_changes_close_a_lead_and_time_its_first_touch(units: UnitOfWorkFactory) -> None:
    await create_lead(units, "L1", "DE")  # ana
    await create_lead(units, "L2", "DE")  # bo
    await consume(units, "coxswain.lead.assigned.v1", ev.LeadAssigned(
        lead_id="L1", rep_id="ana", territory_id="de", assigned_at=at(0), reason="routed"), "L1")
    touched = ev.LeadStatusChanged(lead_id="L1", from_status="new", to_status="contacted", changed_at=at(30))
    await consume(units, "coxswain.lead.status_changed.v1", touched, "L1")
    await consume(units, "coxswain.lead.status_changed.v1", touched, "L1")
    await consume(units, "coxswain.lead.status_changed.v1", ev.LeadStatusChanged(
        lead_id="L2", from_status="new", to_status="disqualified", changed_at=at(40)), "L2")
    # older than the disqualification: L2 stays closed
    await consume(units, "coxswain.lead.status_changed.v1", ev.LeadStatusChanged(
        lead_id="L2", from_status="new", to_status="working", changed_at=at(35)), "L2")
    de = (await per_territory(units))["de"]
    # L1 open and touched 30 minutes after its assignment; L2 disqualified
    assert (de.open_leads, de.median_minutes_to_first_touch) == (1, Decimal("30.0"))
    reps = await per_rep(units)
    assert (reps["ana"].open_leads, reps["bo"].open_leads) == (1, 0)


async def test_a_breach_by_the_holder_reroutes_the_lead_once(units: UnitOfWorkFactory) -> None:
    await create_lead(units, "L1", "DE")  # ana
    breach = ev.LeadSlaBreached(lead_id="L1", rep_id="ana", due_at=at(60), breached_at=at(61))
    assert routed(await consume(units, "coxswain.lead.sla_breached.v1", breach, "L1")) == [("L1", "de", "bo")]
    assert routed(await consume(units, "coxswain.lead.sla_breached.v1", breach, "L1")) == []  # ana holds it no more
    escalated = ev.LeadSlaBreached(lead_id="L1", rep_id="bo", due_at=at(90), breached_at=at(91), action="escalate")
    assert await consume(units, "coxswain.lead.sla_breached.v1", escalated, "L1") == []
    # bo breaches too: ana is the only other member and takes it back
    again = ev.LeadSlaBreached(lead_id="L1", rep_id="bo", due_at=at(120), breached_at=at(121))
    assert routed(await consume(units, "coxswain.lead.sla_breached.v1", again, "L1")) == [("L1", "de", "ana")]
    reps = await per_rep(units)
    assert (reps["ana"].open_leads, reps["bo"].open_leads) == (1, 0)


async def test_a_breach_with_nobody_else_free_keeps_the_lead(units: UnitOfWorkFactory) -> None:
    await organisation.deactivate_rep(units(), "bo")
    await create_lead(units, "L1", "DE")  # ana, the only active member
    breach = ev.LeadSlaBreached(lead_id="L1", rep_id="ana", due_at=at(60), breached_at=at(61))
    assert await consume(units, "coxswain.lead.sla_breached.v1", breach, "L1") == []
    assert (await per_rep(units))["ana"].open_leads == 1


def deal(amount: str, owner: str, **more: object) -> ev.DealCreated:
    return ev.DealCreated.model_validate({
        "deal_id": "D1", "name": "D1", "amount": Decimal(amount), "currency": "EUR", "owner_id": owner,
        "pipeline_id": "p", "stage_id": "s", "probability": 10, "forecast_category": "pipeline", "created_at": AT,
        **more})


async def test_a_deal_counts_as_pipeline_then_won_then_open_again(units: UnitOfWorkFactory) -> None:
    await consume(units, "coxswain.deal.created.v1", deal("300.00", "bo", territory_id="de"), "D1")
    await consume(units, "coxswain.deal.created.v1", deal("999.00", "ana", territory_id="rest"), "D1")  # kept once
    await consume(units, "coxswain.deal.stage_changed.v1", ev.DealStageChanged(
        deal_id="D1", from_stage_id="s", to_stage_id="t", probability=40, forecast_category="pipeline",
        amount=Decimal("400.00"), currency="EUR", owner_id="bo", changed_at=at(20)), "D1")
    await consume(units, "coxswain.deal.stage_changed.v1", ev.DealStageChanged(  # older: ignored
        deal_id="D1", from_stage_id="s", to_stage_id="t", probability=40, forecast_category="pipeline",
        amount=Decimal("350.00"), currency="EUR", owner_id="bo", changed_at=at(10)), "D1")
    assert (await per_territory(units))["de"].open_pipeline == {"EUR": Decimal("400.00")}

    await consume(units, "coxswain.deal.updated.v1", ev.DealUpdated(
        deal_id="D1", owner_id="ana", amount=Decimal("450.00"), updated_at=at(30)), "D1")
    reps = await per_rep(units)
    assert (reps["ana"].open_pipeline, reps["bo"].open_pipeline) == ({"EUR": Decimal("450.00")}, {})

    closed = ev.DealClosed(deal_id="D1", outcome="won", amount=Decimal("450.00"), currency="EUR", owner_id="ana",
                           territory_id="de", created_at=AT, closed_at=at(50))
    await consume(units, "coxswain.deal.closed.v1", closed, "D1")
    await consume(units, "coxswain.deal.closed.v1", closed, "D1")
    de = (await per_territory(units))["de"]
    assert (de.open_pipeline, de.won) == ({}, {"EUR": Decimal("450.00")})  # won once, not twice

    await consume(units, "coxswain.deal.reopened.v1", ev.DealReopened(deal_id="D1", stage_id="s",
                                                                      reopened_at=at(55)), "D1")
    await consume(units, "coxswain.deal.reopened.v1", ev.DealReopened(deal_id="D1", stage_id="s",  # older
                                                                      reopened_at=at(40)), "D1")
    de = (await per_territory(units))["de"]
    assert (de.open_pipeline, de.won) == ({"EUR": Decimal("450.00")}, {})


async def test_a_won_deal_credits_its_splits_against_quota(units: UnitOfWorkFactory) -> None:
    await consume(units, "coxswain.quota.set.v1", ev.QuotaSet(rep_id="ana", period=Q4, amount=Decimal("1000.00"),
                                                              currency="EUR"), "ana")
    await consume(units, "coxswain.quota.set.v1", ev.QuotaSet(rep_id="ana", period=Q4, amount=Decimal("2000.00"),
                                                              currency="EUR"), "ana")  # the quota now
    await consume(units, "coxswain.deal.closed.v1", ev.DealClosed(
        deal_id="D1", outcome="won", amount=Decimal("1000.00"), currency="EUR", owner_id="ana", territory_id="de",
        created_at=AT, closed_at=at(50), splits=[ev.Split(rep_id="ana", percent=Decimal("60")),
                                                 ev.Split(rep_id="bo", percent=Decimal("40"))]), "D1")
    reps = await per_rep(units)
    # ana: 60% of 1000.00 = 600.00 of a 2000.00 quota → 30%; bo: 400.00, no quota
    assert (reps["ana"].won, reps["ana"].quota) == ({"EUR": Decimal("600.00")}, {"EUR": Decimal("2000.00")})
    assert reps["ana"].attainment_percent == {"EUR": Decimal("30")}
    assert (reps["bo"].won, reps["bo"].quota) == ({"EUR": Decimal("400.00")}, {})


def test_every_consumed_type_has_a_test_here() -> None:
    assert set(EVENT_HANDLERS) == {
        "coxswain.lead.created.v1", "coxswain.lead.assigned.v1", "coxswain.lead.status_changed.v1",
        "coxswain.lead.sla_breached.v1", "coxswain.deal.created.v1", "coxswain.deal.stage_changed.v1",
        "coxswain.deal.closed.v1", "coxswain.deal.updated.v1", "coxswain.deal.reopened.v1", "coxswain.quota.set.v1"}
