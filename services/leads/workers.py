"""The follow-up SLA sweeper: leads still `new` past their stored deadline are breached (lead.sla_breached with
the stored policy's `action`). With `reroute`, territory chooses another rep and its lead.routed moves the lead;
with `escalate`, the owner keeps the lead and the owner's manager is named (no owner change, so leads does it).

Deadlines live in the leads table, so a restart loses none; the sweep reads the time from the runtime's clock.
"""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from services.leads import commands
from services.leads.db import org
from services.leads.db import repository as repo
from services.leads.domain import sla
from shared.db.uow import UnitOfWork, UnitOfWorkFactory

if TYPE_CHECKING:
    from shared.runtime import ServiceRuntime

log = logging.getLogger("coxswain.leads.sla")


async def sweep_once(uow_factory: UnitOfWorkFactory, *, batch: int = 200) -> int:
    """Breach every lead overdue now (one transaction per lead); return how many were breached."""
    breached = 0
    while True:
        async with uow_factory() as uow:
            due = await repo.due_for_sla(uow.session, uow.clock.now(), batch)
        for lead_id in due:
            async with uow_factory() as uow:
                breached += await breach_lead(lead_id, uow)
        if len(due) < batch:
            return breached


async def breach_lead(lead_id: str, uow: UnitOfWork) -> int:
    before = await repo.get_lead(uow.session, lead_id, for_update=True)
    now = uow.clock.now()
    if not sla.is_breached(before, now):
        return 0  # touched or swept meanwhile
    policy = await org.load_policy(uow.session)
    lead, facts = sla.breach(before, now)
    facts[0].data["action"] = policy.breach_action
    if policy.breach_action == "escalate":
        lead = sla.escalate(lead, await org.manager_of(uow.session, lead.owner_id))
        facts[0].data["escalated_to"] = lead.escalated_to
    await commands.store(uow, before, lead, facts)
    await uow.commit()
    return 1


async def sweep_sla(runtime: ServiceRuntime) -> None:
    """The worker (SPEC.workers): sweep, sleep, sweep; an error is logged and the next sweep tries again."""
    settings = runtime.settings
    pause = float(getattr(settings, "sla_sweep_seconds", 30.0))
    batch = int(getattr(settings, "sla_sweep_batch", 200))
    while True:
        try:
            count = await sweep_once(runtime.uow, batch=batch)
            if count:
                log.info("follow-up SLA: %d lead(s) breached", count)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("follow-up SLA sweep failed; retrying after the pause")
        await asyncio.sleep(pause)
