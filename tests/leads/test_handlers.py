"""Leads' handlers, driven the consumer's way (open the unit of work, handle, commit) on an in-memory database:
the leads they leave (read through leads' queries) and the events they emit, with hand-computed figures.

No scoring rules are stored in the in-memory database, so every lead scores 0 and falls in the default
`cold` band: followed up within 1440 minutes of reaching its current owner."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import BaseModel

from services.leads import commands, queries
from services.leads.db.models import metadata
from services.leads.db.repository import LeadFilter
from services.leads.domain.leads import Lead
from services.leads.domain.sla import parse_bands, policy_of
from services.leads.handlers import EVENT_HANDLERS
from shared.clock import FixedClock
from shared.db.uow import UnitOfWorkFactory
from shared.events import CloudEvent
from shared.events import catalog as ev
from shared.http.auth import Principal
from shared.testing.memory import incoming, memory_units

pytestmark = pytest.mark.unit

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
COLD = timedelta(minutes=1440)
OPS = Principal(sub="test-ops", roles=frozenset({"ops"}))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
async def units(clock: FixedClock) -> AsyncIterator[UnitOfWorkFactory]:
    async with memory_units("leads", metadata, clock) as factory:
        yield factory


async def handle(units: UnitOfWorkFactory, clock: FixedClock, event_type: str, data: BaseModel,
                 subject: str) -> list[CloudEvent]:
    """The consumer's way: one unit of work, the handler, commit; the events it emitted."""
    uow = units()
    async with uow:
        await EVENT_HANDLERS[event_type](incoming(event_type, data, subject=subject, clock=clock), uow)
        await uow.commit()
    return uow.emitted


async def routed(units: UnitOfWorkFactory, clock: FixedClock, lead_id: str, rep_id: str | None,
                 territory_id: str | None = "emea") -> list[CloudEvent]:
    return await handle(units, clock, "coxswain.lead.routed.v1",
                        ev.LeadRouted(lead_id=lead_id, territory_id=territory_id, rep_id=rep_id, reason="rules"),
                        lead_id)


async def captured(units: UnitOfWorkFactory, email: str = "ada@example.com") -> Lead:
    result = await commands.capture_lead(units(), {"email": email, "name": "Ada", "source": "api"}, "api:test")
    assert result.lead is not None
    return result.lead


async def lead_as(units: UnitOfWorkFactory, lead_id: str, who: Principal = OPS) -> Lead:
    return (await queries.read_lead(units(), lead_id, who)).lead


def test_every_consumed_event_has_a_test_here() -> None:
    assert set(EVENT_HANDLERS) == {"coxswain.lead.routed.v1", "coxswain.rep.upserted.v1",
                                   "coxswain.team.upserted.v1"}


async def test_routing_hands_the_lead_to_the_rep_and_announces_it(units: UnitOfWorkFactory,
                                                                  clock: FixedClock) -> None:
    lead = await captured(units)
    assert (lead.version, lead.sla_due_at) == (1, T0 + COLD)
    at = clock.advance(minutes=10)

    emitted = await routed(units, clock, lead.id, "ana")

    assert [(e.type, e.sequence) for e in emitted] == [("coxswain.lead.assigned.v1", 2)]
    data = emitted[0].data
    assert (data.rep_id, data.previous_rep_id, data.territory_id, data.reason) == ("ana", None, "emea",
                                                                                    "routed: rules")
    after = await lead_as(units, lead.id)
    assert (after.owner_id, after.territory_id, after.version) == ("ana", "emea", 2)
    assert (after.sla_started_at, after.sla_due_at) == (at, at + COLD)  # the clock starts again for ana
    history = (await queries.read_lead(units(), lead.id, OPS)).assignments
    assert [(a["rep_id"], a["previous_rep_id"], a["assigned_at"]) for a in history] == [("ana", None, at)]


async def test_the_same_routing_twice_changes_nothing(units: UnitOfWorkFactory, clock: FixedClock) -> None:
    lead = await captured(units)
    await routed(units, clock, lead.id, "ana")
    first = await lead_as(units, lead.id)
    clock.advance(minutes=5)

    assert await routed(units, clock, lead.id, "ana") == []

    assert await lead_as(units, lead.id) == first
    assert len((await queries.read_lead(units(), lead.id, OPS)).assignments) == 1


async def test_routing_to_nobody_leaves_the_lead_without_a_rep_once(units: UnitOfWorkFactory,
                                                                    clock: FixedClock) -> None:
    lead = await captured(units)
    await routed(units, clock, lead.id, "ana")
    at = clock.advance(minutes=30)

    emitted = await routed(units, clock, lead.id, None)

    assert [(e.type, e.sequence, e.data.rep_id, e.data.previous_rep_id) for e in emitted] == [
        ("coxswain.lead.assigned.v1", 3, None, "ana")]
    after = await lead_as(units, lead.id)
    assert (after.owner_id, after.version, after.sla_due_at) == (None, 3, at + COLD)
    assert await routed(units, clock, lead.id, None) == []  # nobody holds it already
    assert (await lead_as(units, lead.id)).version == 3


async def test_routing_an_unknown_or_closed_lead_changes_nothing(units: UnitOfWorkFactory,
                                                                 clock: FixedClock) -> None:
    assert await routed(units, clock, "no-such-lead", "ana") == []
    lead = await captured(units)
    converted = await commands.convert_lead(units(), lead.id, Decimal("1200.00"), "EUR", OPS)
    assert (converted.status, converted.version) == ("converted", 3)  # status_changed + converted

    assert await routed(units, clock, lead.id, "ana") == []

    assert await lead_as(units, lead.id) == converted


async def _organisation(units: UnitOfWorkFactory, clock: FixedClock) -> None:
    """emea (led by mia) has the sub-team emea-north, where ana sells; apac is led by kai."""
    for team_id, manager, parent in (("emea", "mia", None), ("emea-north", "noa", "emea"), ("apac", "kai", None)):
        await handle(units, clock, "coxswain.team.upserted.v1",
                     ev.TeamUpserted(team_id=team_id, name=team_id, manager_rep_id=manager, parent_team_id=parent),
                     team_id)
    await handle(units, clock, "coxswain.rep.upserted.v1",
                 ev.RepUpserted(rep_id="ana", name="Ana", email="ana@example.com", team_id="emea-north", capacity=5),
                 "ana")


async def test_a_manager_sees_the_leads_of_their_sub_teams(units: UnitOfWorkFactory, clock: FixedClock) -> None:
    await _organisation(units, clock)
    lead = await captured(units)
    await routed(units, clock, lead.id, "ana")
    emea = Principal(sub="mia", roles=frozenset({"manager"}), rep_id="mia", team_ids=frozenset({"emea"}))
    north = Principal(sub="noa", roles=frozenset({"manager"}), rep_id="noa", team_ids=frozenset({"emea-north"}))
    apac = Principal(sub="kai", roles=frozenset({"manager"}), rep_id="kai", team_ids=frozenset({"apac"}))

    for manager, sees in ((emea, [lead.id]), (north, [lead.id]), (apac, [])):
        assert [x.id for x in await queries.list_leads(units(), manager, LeadFilter(), None, 10)] == sees
    assert (await lead_as(units, lead.id, emea)).owner_id == "ana"  # the parent team's manager reads it too
    report = await queries.lead_funnel(units(), emea, T0.date(), T0.date())
    assert (report.leads, report.by_rep) == (1, {"ana": 1})


async def test_the_same_organisation_facts_twice_change_nothing(units: UnitOfWorkFactory,
                                                                clock: FixedClock) -> None:
    await _organisation(units, clock)
    await _organisation(units, clock)  # every rep and team fact again, under new event ids
    lead = await captured(units)
    await routed(units, clock, lead.id, "ana")
    emea = Principal(sub="mia", roles=frozenset({"manager"}), rep_id="mia", team_ids=frozenset({"emea"}))

    assert [x.id for x in await queries.list_leads(units(), emea, LeadFilter(), None, 10)] == [lead.id]


async def test_an_escalated_breach_names_the_owners_team_manager(units: UnitOfWorkFactory,
                                                                 clock: FixedClock) -> None:
    await _organisation(units, clock)
    await commands.save_sla_policy(units(), policy_of("hot:80:60,cold:0:1440", "escalate"))
    lead = await captured(units)
    await routed(units, clock, lead.id, "ana")
    clock.advance(minutes=1440)

    assert await queries.due_for_sla(units(), 10) == [lead.id]
    assert await commands.breach_sla(units(), lead.id) == 1

    after = await lead_as(units, lead.id)
    assert (after.escalated_to, after.sla_breaches, after.owner_id) == ("noa", 1, "ana")  # emea-north's manager
    assert await commands.breach_sla(units(), lead.id) == 0  # breached once per owner


async def test_saving_the_policy_with_no_leads_to_rescore_persists_it(units: UnitOfWorkFactory) -> None:
    await commands.save_sla_policy(units(), policy_of("hot:80:30,cold:0:600", "escalate"))

    stored = await queries.sla_policy(units())

    assert (stored.bands, stored.breach_action) == (parse_bands("hot:80:30,cold:0:600"), "escalate")
