"""What-if for ops: a period recalculated under a draft plan version, read-only (nothing is written)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.compensation.db import ledger_repo, plans_repo
from services.compensation.domain.periods import kind_of
from services.compensation.domain.plans import parse_terms
from services.compensation.domain.recalculation import Credit, period_total
from services.compensation.domain.simulation import RepOutcome, simulate
from services.compensation.queries import calculation
from services.compensation.queries.plans import plan_named
from shared.db.uow import UnitOfWork
from shared.errors import InvalidInput


async def simulate_plan(uow: UnitOfWork, plan_id: str, period: str, draft: dict[str, Any]) -> list[RepOutcome]:
    """Each rep paid under the plan in the period: what the draft would pay beside what the ledger paid."""
    async with uow:
        await plan_named(uow.session, plan_id)
        terms = parse_terms(draft)
        if kind_of(period) != terms.period_kind:
            raise InvalidInput("period", f"the draft measures {terms.period_kind}s; give a {terms.period_kind}")
        versions = await plans_repo.versions(uow.session, plan_id)
        if versions and versions[-1].terms.get("currency") != terms.currency:
            raise InvalidInput("currency", "a draft is simulated in the plan's currency")
        credits: dict[str, list[Credit]] = {}
        quotas: dict[str, Decimal | None] = {}
        current: dict[str, Decimal] = {}
        for rep_id in await ledger_repo.plan_reps(uow.session, plan_id, period):
            credits[rep_id], quotas[rep_id] = await calculation.period_credits(uow, rep_id, period)
            current[rep_id] = period_total(await ledger_repo.period_lines(uow.session, rep_id, period))
        return simulate(terms, credits, quotas, current)
