"""Ops' knobs: the scoring rules and the follow-up SLA policy. Saving either scores every open lead again (its
deadline moves with its band) in the same transaction, and commits."""
from __future__ import annotations

from datetime import datetime

from services.leads.db import org
from services.leads.db import repository as repo
from services.leads.domain.capture import rescored
from services.leads.domain.scoring import ScoringRule, validate_rules
from services.leads.domain.sla import SlaPolicy
from shared.db.uow import UnitOfWork, command

PAGE = 500


@command
async def replace_rules(uow: UnitOfWork, rules: list[ScoringRule]) -> int:
    """The whole rule set replaced; returns how many open leads were scored again."""
    validate_rules(rules)
    async with uow:
        await org.replace_rules(uow.session, rules)
        count = await rescore_open_leads(uow)
        await uow.commit()
        return count


@command
async def save_sla_policy(uow: UnitOfWork, policy: SlaPolicy) -> SlaPolicy:
    """The policy stored (committed whether or not any lead is open); open leads get deadlines by its bands."""
    async with uow:
        await org.save_policy(uow.session, policy)
        await rescore_open_leads(uow)
        await uow.commit()
        return policy


async def rescore_open_leads(uow: UnitOfWork) -> int:
    """Every open lead scored again with the stored rules and its deadline set by the stored bands, in the
    open unit of work (the caller commits)."""
    rules, bands = await org.load_rules(uow.session), (await org.load_policy(uow.session)).bands
    rescored_count = 0
    after: tuple[datetime, str] | None = None
    while True:  # pages newest first, keyed (created_at, id)
        page = await repo.list_leads(uow.session, repo.LeadFilter(), repo.EVERY_LEAD, after, PAGE)
        for lead in page:
            if lead.is_open:
                await repo.save_lead(uow.session, rescored(lead, rules, bands), expected_version=lead.version)
                rescored_count += 1
        if len(page) < PAGE:
            return rescored_count
        last = page[-1]
        after = (last.created_at or uow.clock.now(), last.id)
