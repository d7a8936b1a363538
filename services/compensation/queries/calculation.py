"""The commission calculation as the facts stand now: a rep-period's credits with their plans' terms, and the
plan applied to them from scratch. The ledger's recalculation (commands/ledger.py) appends the difference
between this and what it holds; statements and what-ifs read it as it is.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from services.compensation.db import ledger_repo as repo
from services.compensation.db.ledger_repo import RepPeriod
from services.compensation.domain.calculation import DealShare
from services.compensation.domain.commission import convert
from services.compensation.domain.plans import PlanTerms
from services.compensation.domain.recalculation import Credit, LedgerLine, calculate_period
from services.compensation.queries.terms import TermsBook
from shared.db.uow import UnitOfWork


class Waiting(Exception):
    """The commission cannot be calculated yet (no plan, rate or quota); it waits, visibly, with this reason."""


def rate_in(book: TermsBook, currency: str, terms: PlanTerms, day: date) -> Decimal:
    """Units of the plan's currency per unit of `currency` on `day` (1 when they are the same)."""
    if currency == terms.currency:
        return Decimal(1)
    rate = book.rate_on(currency, terms.currency, day)
    if rate is None:
        raise Waiting(f"no exchange rate {currency}->{terms.currency} effective on {day}")
    return rate


Inputs = tuple[list[Credit], Decimal | None]  # a rep-period's credits with their terms, and its quota


async def periods_credits(uow: UnitOfWork, wanted: Iterable[RepPeriod],
                          book: TermsBook | None = None) -> dict[RepPeriod, Inputs]:
    """Several rep-periods' credits as they stand now, each with its plan version's terms, and their quotas:
    one query for the credits, then at most one per table of terms the book does not hold yet."""
    found = await repo.credits_of_periods(uow.session, wanted)
    rows = [r for rs in found.values() for r in rs]
    book = await (book or TermsBook()).load(uow, reps={rep for rep, _ in found}, plans={r.plan_id for r in rows},
                                            currencies={r.deal_currency for r in rows})
    out: dict[RepPeriod, Inputs] = {}
    for (rep_id, quota_period), rs in found.items():
        credits = []
        for r in rs:
            terms = book.terms(r.plan_id, r.plan_version)
            rate = rate_in(book, r.deal_currency, terms, r.closed_at.date())  # the credit's own rate
            share = DealShare(r.deal_id, rep_id, r.closed_at.date(), convert(r.deal_amount, rate), r.percent,
                              r.base, r.products, r.new_logo)
            credits.append(Credit(share, r.closed_at, r.plan_id, r.plan_version, terms))
        quota = book.quota(rep_id, quota_period)
        out[(rep_id, quota_period)] = credits, quota[0] if quota else None
    return out


async def period_credits(uow: UnitOfWork, rep_id: str, quota_period: str) -> Inputs:
    """The rep-period's credits as they stand now, each with its plan version's terms, and the quota."""
    return (await periods_credits(uow, [(rep_id, quota_period)]))[(rep_id, quota_period)]


async def period_calculation(uow: UnitOfWork, rep_id: str, quota_period: str) -> list[LedgerLine]:
    """The plan applied from scratch to the rep-period's credits as they stand now."""
    return calculate_period(*await period_credits(uow, rep_id, quota_period))
