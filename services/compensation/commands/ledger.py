"""Writing the ledger: when a deal's facts, a quota, a plan or a rate change, each touched rep-period is
recalculated from scratch and the difference appended. Callers own the commit.

Two steps, each a function of the facts alone: `credit_deals` decides who is credited what on each deal
(or why the credit waits), `recalculate` makes a rep-period's lines add up to the plan applied to its credits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.compensation.db import deals_repo, plans_repo
from services.compensation.db import ledger_repo as repo
from services.compensation.domain.calculation import Line, total
from services.compensation.domain.commission import convert, split_share
from services.compensation.domain.periods import first_open, period_of
from services.compensation.domain.plans import PlanTerms, parse_terms
from services.compensation.domain.recalculation import LedgerLine, differences
from services.compensation.queries.calculation import Waiting, period_calculation, rate_for
from shared.db.uow import UnitOfWork
from shared.events import catalog as ev


@dataclass(frozen=True)
class Cause:
    """Why lines are appended, and the event or request that caused it (written on every line)."""
    reason: str
    source: str


RepPeriod = tuple[str, str]  # rep, quota period


async def credit_deals(uow: UnitOfWork, deal_ids: list[str], cause: Cause) -> None:
    """Re-derive the credits of these deals from their facts, then recalculate every rep-period they touch."""
    await repo.lock_ledger(uow.session)
    touched: set[RepPeriod] = set()
    for deal_id in sorted(set(deal_ids)):
        touched |= await _credit_deal(uow, deal_id)
    for rep_id, quota_period in sorted(touched):
        await recalculate(uow, rep_id, quota_period, cause)


async def _credit_deal(uow: UnitOfWork, deal_id: str) -> set[RepPeriod]:
    """The deal's credits as its facts now say; returns the rep-periods counted before or after."""
    now = uow.clock.now()
    before = await repo.credits_of(uow.session, deal_id)
    touched = {(c.rep_id, c.quota_period) for c in before if c.status == "paid" and c.quota_period}
    deal = await deals_repo.deal(uow.session, deal_id)
    shares = dict(deal.facts.splits) if deal is not None and deal.facts.status == "won" else {}
    for c in before:
        if c.rep_id not in shares and c.status in ("paid", "pending"):
            status = "reversed" if c.status == "paid" else "cancelled"
            await repo.set_credit_status(uow.session, deal_id, c.rep_id, status, _why_not(deal), now)
    numbers = {c.rep_id: c.credit_no for c in before}
    for rep_id, percent in shares.items():
        assert deal is not None
        credit = await _credit(uow, deal, rep_id, percent, numbers.get(rep_id, 1))
        await repo.save_credit(uow.session, credit)
        quota_period = credit["quota_period"]
        if credit["status"] == "paid" and quota_period is not None:  # a paid credit always has its quota period
            touched.add((rep_id, quota_period))
    return touched


def _why_not(deal: deals_repo.Deal | None) -> str:
    status = deal.facts.status if deal else "unknown"
    return {"open": "deal reopened", "lost": "deal lost after won"}.get(status, "no longer credited on the deal")


async def _credit(uow: UnitOfWork, deal: deals_repo.Deal, rep_id: str, percent: Decimal,
                  credit_no: int) -> repo.CreditValues:
    """One rep's credit on a won deal: paid (counted in a quota period) or pending with what it waits for."""
    assert deal.closed_at is not None
    day = deal.closed_at.date()
    now = uow.clock.now()
    try:
        plan, terms = await _terms_for(uow, rep_id, day)
        rate = await rate_for(uow, deal.facts.currency, terms, day)
        quota_period = period_of(day, terms.period_kind)
        await _quota(uow, rep_id, quota_period, terms)
    except Waiting as waiting:
        return repo.CreditValues(deal_id=deal.deal_id, rep_id=rep_id, credit_no=credit_no, percent=percent,
                                 status="pending", reason=str(waiting), base=None, currency=None, quota_period=None,
                                 plan_id=None, plan_version=None, updated_at=now)
    return repo.CreditValues(deal_id=deal.deal_id, rep_id=rep_id, credit_no=credit_no, percent=percent,
                             status="paid", reason=None, base=convert(split_share(deal.facts.amount, percent), rate),
                             currency=terms.currency, quota_period=quota_period, plan_id=plan.plan_id,
                             plan_version=plan.version, updated_at=now)


async def _terms_for(uow: UnitOfWork, rep_id: str, day: date) -> tuple[plans_repo.PlanVersion, PlanTerms]:
    plan = await plans_repo.plan_for(uow.session, rep_id, day)
    if plan is None:
        raise Waiting(f"no plan assigned to {rep_id} in force on {day}")
    return plan, parse_terms(plan.terms)


async def _quota(uow: UnitOfWork, rep_id: str, period: str, terms: PlanTerms) -> Decimal | None:
    found = await plans_repo.quota(uow.session, rep_id, period)
    if found and found[1] != terms.currency:
        raise Waiting(f"quota for {period} is in {found[1]} but the plan pays in {terms.currency}")
    if found is None and terms.needs_quota:
        raise Waiting(f"no quota for {rep_id} in {period}")
    return found[0] if found else None


async def recalculate(uow: UnitOfWork, rep_id: str, quota_period: str, cause: Cause) -> None:
    """Append what makes the rep-period's lines equal its calculation; a locked period's difference lands in
    the first open one as a prior-period adjustment naming the period it corrects."""
    expected = await period_calculation(uow, rep_id, quota_period)
    paid = await repo.period_lines(uow.session, rep_id, quota_period)
    landing = first_open(quota_period, await repo.closed_periods(uow.session))
    reason = cause.reason if landing == quota_period else f"prior-period adjustment for {quota_period}: {cause.reason}"
    appended = differences(expected, paid, reason)
    currency = await _currency(uow, rep_id, quota_period, expected)
    for deal_id in dict.fromkeys(x.deal_id for x in appended):
        lines = [x for x in appended if x.deal_id == deal_id]
        for x in lines:
            await repo.add_lines(uow.session, [x.line], {
                "rep_id": rep_id, "deal_id": deal_id, "period": landing, "quota_period": quota_period,
                "currency": currency, "plan_id": x.plan_id, "plan_version": x.plan_version, "credit_no": 1,
                "source_event_id": cause.source, "created_at": uow.clock.now()})
        still_paid = any(x.deal_id == deal_id for x in expected)
        await _announce(uow, rep_id, deal_id, landing, currency, [x.line for x in lines], still_paid, cause)


async def _currency(uow: UnitOfWork, rep_id: str, quota_period: str, expected: list[LedgerLine]) -> str:
    """The plan's currency; for a period whose every credit went away, the currency it was paid in."""
    for x in expected:
        if x.plan_id and x.plan_version:
            raw = await plans_repo.version_terms(uow.session, x.plan_id, x.plan_version)
            if raw:
                return parse_terms(raw).currency
    return await repo.period_currency(uow.session, rep_id, quota_period) or "USD"


async def _announce(uow: UnitOfWork, rep_id: str, deal_id: str, period: str, currency: str, lines: list[Line],
                    still_paid: bool, cause: Cause) -> None:
    subject = f"{rep_id}:{deal_id}"
    if not still_paid:
        await uow.emit("coxswain.commission.reversed.v1", subject=subject, data=ev.CommissionReversed(
            rep_id=rep_id, deal_id=deal_id, period=period, amount=total(lines), currency=currency,
            reason=cause.reason))
        return
    await uow.emit("coxswain.commission.calculated.v1", subject=subject, data=ev.CommissionCalculated(
        rep_id=rep_id, deal_id=deal_id, period=period, amount=total(lines), currency=currency,
        lines=[ev.CommissionLine(
            component=x.component, base=x.base, rate=x.rate, amount=x.amount, kind=x.kind, tier=x.tier,
            attainment_before=x.attainment_before, attainment_after=x.attainment_after) for x in lines]))


async def credit_changed_terms(uow: UnitOfWork, cause: Cause, *, rep_ids: set[str] | None = None,
                               plan_id: str | None = None, currency: str | None = None) -> None:
    """A quota, plan version, assignment or exchange rate changed: re-credit what it may move, and what waited."""
    deal_ids = await repo.credited_deals(uow.session, rep_ids=rep_ids, plan_id=plan_id, currency=currency)
    await credit_deals(uow, deal_ids, cause)
