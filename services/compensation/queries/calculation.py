"""The commission calculation as the facts stand now: a rep-period's credits with their plans' terms, and the
plan applied to them from scratch. The ledger's recalculation (commands/ledger.py) appends the difference
between this and what it holds; statements and what-ifs read it as it is.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.compensation.db import ledger_repo as repo
from services.compensation.db import plans_repo, rates_repo
from services.compensation.domain.calculation import DealShare
from services.compensation.domain.commission import convert
from services.compensation.domain.plans import PlanTerms, parse_terms
from services.compensation.domain.recalculation import Credit, LedgerLine, calculate_period
from shared.db.uow import UnitOfWork


class Waiting(Exception):
    """The commission cannot be calculated yet (no plan, rate or quota); it waits, visibly, with this reason."""


async def rate_for(uow: UnitOfWork, currency: str, terms: PlanTerms, day: date) -> Decimal:
    """Units of the plan's currency per unit of `currency` on `day` (1 when they are the same)."""
    if currency == terms.currency:
        return Decimal(1)
    rate = await rates_repo.rate_on(uow.session, currency, terms.currency, day)
    if rate is None:
        raise Waiting(f"no exchange rate {currency}->{terms.currency} effective on {day}")
    return rate


async def period_credits(uow: UnitOfWork, rep_id: str, quota_period: str) -> tuple[list[Credit], Decimal | None]:
    """The rep-period's credits as they stand now, each with its plan version's terms, and the quota."""
    terms: dict[tuple[str, int], PlanTerms] = {}
    credits = []
    for r in await repo.period_credits(uow.session, rep_id, quota_period):
        key = (r.plan_id, r.plan_version)
        if key not in terms:
            raw = await plans_repo.version_terms(uow.session, *key)
            assert raw is not None, f"credit on unknown plan version {key}"
            terms[key] = parse_terms(raw)
        rate = await rate_for(uow, r.deal_currency, terms[key], r.closed_at.date())  # the credit's own rate
        share = DealShare(r.deal_id, rep_id, r.closed_at.date(), convert(r.deal_amount, rate), r.percent, r.base,
                          r.products, r.new_logo)
        credits.append(Credit(share, r.closed_at, r.plan_id, r.plan_version, terms[key]))
    found = await plans_repo.quota(uow.session, rep_id, quota_period)
    return credits, found[0] if found else None


async def period_calculation(uow: UnitOfWork, rep_id: str, quota_period: str) -> list[LedgerLine]:
    """The plan applied from scratch to the rep-period's credits as they stand now."""
    return calculate_period(*await period_credits(uow, rep_id, quota_period))
