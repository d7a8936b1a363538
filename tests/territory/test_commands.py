"""Territory's write use cases as routes call them: a command owns its transaction and, when PostgreSQL ends it
for a deadlock (a consumer batch locking the same lead_book and rotation rows the other way round), runs again
from the start - nothing of the failed attempt stays, and the request answers as if it had come a moment later."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from services.territory.commands import organisation
from services.territory.db import books
from services.territory.db.models import metadata
from services.territory.domain.books import BookedLead
from services.territory.domain.territories import Rep, Team, build_territory
from services.territory.handlers import EVENT_HANDLERS
from shared.clock import FixedClock
from shared.db.uow import UnitOfWorkFactory
from shared.events import catalog as ev
from shared.testing.memory import incoming, memory_units

pytestmark = pytest.mark.unit

CLOCK = FixedClock(datetime(2026, 11, 15, 12, 0, tzinfo=UTC))


class Deadlock(Exception):
    sqlstate = "40P01"  # what asyncpg reports for "deadlock detected"


@pytest.fixture
async def units() -> AsyncIterator[UnitOfWorkFactory]:
    async with memory_units("territory", metadata, CLOCK) as factory:
        await organisation.create_team(factory(), Team("emea", "EMEA", None, None))
        for rep_id in ("ana", "bo"):
            await organisation.create_rep(factory(), Rep(rep_id, rep_id, f"{rep_id}@corp.example", "emea", True, 4))
        await organisation.create_territory(factory(), build_territory("de", {"name": "DE", "rep_ids": ["ana", "bo"],
                                                                            "is_default": True}))
        uow = factory()
        async with uow:
            await EVENT_HANDLERS["coxswain.lead.created.v1"](incoming(
                "coxswain.lead.created.v1", ev.LeadCreated(lead_id="L1", country="DE", created_at=CLOCK.now()),
                subject="L1", clock=CLOCK), uow)
            await uow.commit()
        yield factory


async def test_a_deactivation_that_meets_a_deadlock_runs_again_once(units: UnitOfWorkFactory,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    async def lead_of(lead_id: str) -> BookedLead | None:
        uow = units()
        async with uow:
            return await books.booked_lead(uow.session, lead_id)

    assert (lead := await lead_of("L1")) is not None and lead.rep_id == "ana"
    read_leads = books.open_leads_of
    attempts: list[str] = []

    async def deadlocked_once(session: Any, rep_id: str) -> list[BookedLead]:
        attempts.append(rep_id)
        if len(attempts) == 1:
            raise Deadlock("deadlock detected")
        return await read_leads(session, rep_id)

    monkeypatch.setattr(books, "open_leads_of", deadlocked_once)
    uow = units()
    rep = await organisation.deactivate_rep(uow, "ana")

    assert attempts == ["ana", "ana"] and rep.active is False
    upserted = [e for e in uow.emitted if e.type == "coxswain.rep.upserted.v1"]
    # version 2, not 3: the failed attempt's save was rolled back with everything else in it
    assert [(e.data.active, e.sequence) for e in upserted] == [(False, 2)]
    assert [(e.data.lead_id, e.data.rep_id) for e in uow.emitted if e.type == "coxswain.lead.routed.v1"] == [
        ("L1", "bo")]
    assert (lead := await lead_of("L1")) is not None and lead.rep_id == "bo"


async def test_a_deactivation_that_fails_otherwise_is_not_run_again(units: UnitOfWorkFactory,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[str] = []

    async def broken(session: Any, rep_id: str) -> list[BookedLead]:
        attempts.append(rep_id)
        raise RuntimeError("not a conflict")

    monkeypatch.setattr(books, "open_leads_of", broken)
    with pytest.raises(RuntimeError):
        await organisation.deactivate_rep(units(), "ana")
    assert attempts == ["ana"]
