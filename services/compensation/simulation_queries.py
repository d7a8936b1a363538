"""What-if for ops: a period recalculated under a draft plan version, read-only (nothing is written)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.compensation.db import ledger_repo, plans_repo
from services.compensation.domain.periods import kind_of
from services.compensation.domain.plans import parse_terms
from services.compensation.domain.simulation import PaidCredit, RepOutcome, simulate
from shared.db.uow import UnitOfWork
from shared.errors import InvalidInput


async def simulate_plan(uow: UnitOfWork, plan_id: str, period: str, draft: dict[str, Any]) -> list[RepOutcome]:
    terms = parse_terms(draft)
    if kind_of(period) != terms.period_kind:
        raise InvalidInput("period", f"the draft measures {terms.period_kind}s; give a {terms.period_kind}")
    versions = await plans_repo.versions(uow.session, plan_id)
    if versions and versions[-1].terms.get("currency") != terms.currency:
        raise InvalidInput("currency", "a draft is simulated in the plan's currency")
    rows = await ledger_repo.paid_credits(uow.session, plan_id, period)
    credits = [PaidCredit(r["deal_id"], r["rep_id"], r["closed_at"].date(), r["percent"], r["base"], r["paid"],
                          frozenset(r["products"]), bool(r["new_logo"])) for r in rows]
    quotas: dict[str, Decimal] = {}
    for rep_id in {c.rep_id for c in credits}:
        found = await plans_repo.quota(uow.session, rep_id, period)
        if found:
            quotas[rep_id] = found[0]
    return simulate(terms, credits, quotas)
