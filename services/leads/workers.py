"""The follow-up SLA sweeper: leads still `new` past their stored deadline are breached (lead.sla_breached with
the stored policy's `action`). With `reroute`, territory chooses another rep and its lead.routed moves the lead;
with `escalate`, the owner keeps the lead and the owner's manager is named (no owner change, so leads does it).

Deadlines live in the leads table, so a restart loses none; the sweep reads the time from the runtime's clock.
"""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, cast

from services.leads import commands, queries
from services.leads.settings import LeadsSettings
from shared.db.uow import UnitOfWorkFactory

if TYPE_CHECKING:
    from shared.runtime import ServiceRuntime

log = logging.getLogger("coxswain.leads.sla")


async def sweep_once(uow_factory: UnitOfWorkFactory, *, batch: int = 200) -> int:
    """Breach every lead overdue now (one transaction per lead); return how many were breached."""
    breached = 0
    while True:
        due = await queries.due_for_sla(uow_factory(), batch)
        for lead_id in due:
            breached += await commands.breach_sla(uow_factory(), lead_id)
        if len(due) < batch:
            return breached


async def sweep_sla(runtime: ServiceRuntime) -> None:
    """The worker (SPEC.workers): sweep, sleep, sweep; an error is logged and the next sweep tries again."""
    settings = cast(LeadsSettings, runtime.settings)
    pause, batch = settings.sla_sweep_seconds, settings.sla_sweep_batch
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
