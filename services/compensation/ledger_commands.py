"""Writing the ledger: pay a won deal's reps, claw it back, pay what was waiting. Callers own the commit."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.compensation.db import ledger_repo as repo
from services.compensation.db import plans_repo
from services.compensation.domain.calculation import DealShare, Line, Standing, calculate, reversal, total
from services.compensation.domain.commission import convert, split_share
from services.compensation.domain.periods import first_open, kind_of, period_of
from services.compensation.domain.plans import PlanTerms, parse_terms
from shared.db.uow import UnitOfWork
from shared.events import catalog as ev


class Waiting(Exception):
    """The commission cannot be calculated yet (no plan, rate or quota); it waits, visibly, with this reason."""


async def _terms_for(uow: UnitOfWork, rep_id: str, day: date) -> tuple[plans_repo.PlanVersion, PlanTerms]:
    plan = await plans_repo.plan_for(uow.session, rep_id, day)
    if plan is None:
        raise Waiting(f"no plan assigned to {rep_id} in force on {day}")
    return plan, parse_terms(plan.terms)


async def _rate(uow: UnitOfWork, currency: str, terms: PlanTerms, day: date) -> Decimal:
    if currency == terms.currency:
        return Decimal(1)
    rate = await repo.rate_on(uow.session, currency, terms.currency, day)
    if rate is None:
        raise Waiting(f"no exchange rate {currency}->{terms.currency} effective on {day}")
    return rate


async def _quota(uow: UnitOfWork, rep_id: str, period: str, terms: PlanTerms) -> Decimal | None:
    found = await plans_repo.quota(uow.session, rep_id, period)
    if found and found[1] != terms.currency:
        raise Waiting(f"quota for {period} is in {found[1]} but the plan pays in {terms.currency}")
    if found is None and terms.needs_quota:
        raise Waiting(f"no quota for {rep_id} in {period}")
    return found[0] if found else None


async def pay_rep(uow: UnitOfWork, deal: repo.Deal, rep_id: str, percent: Decimal, credit_no: int,
                  source: str) -> None:
    """One rep's lines on one won deal, or a pending credit saying what it waits for."""
    assert deal.closed_at is not None
    day = deal.closed_at.date()
    credit = {"deal_id": deal.deal_id, "rep_id": rep_id, "credit_no": credit_no, "percent": percent,
              "updated_at": uow.clock.now()}
    try:
        plan, terms = await _terms_for(uow, rep_id, day)
        rate = await _rate(uow, deal.facts.currency, terms, day)
        quota_period = period_of(day, terms.period_kind)
        quota = await _quota(uow, rep_id, quota_period, terms)
    except Waiting as waiting:
        await repo.save_credit(uow.session, {**credit, "status": "pending", "reason": str(waiting)})
        return
    await repo.lock_rep(uow.session, rep_id)
    share = DealShare(deal.deal_id, rep_id, day, convert(deal.facts.amount, rate), percent,
                      convert(split_share(deal.facts.amount, percent), rate), deal.products, deal.new_logo)
    period = first_open(quota_period, await repo.closed_periods(uow.session))
    standing = Standing(await repo.credited(uow.session, rep_id, quota_period, deal.deal_id), quota,
                        await repo.paid_in_period(uow.session, rep_id, period))
    lines = calculate(terms, share, standing)
    await repo.add_lines(uow.session, lines, {
        "rep_id": rep_id, "deal_id": deal.deal_id, "period": period, "currency": terms.currency,
        "plan_id": plan.plan_id, "plan_version": plan.version, "credit_no": credit_no,
        "source_event_id": source, "created_at": uow.clock.now()})
    await repo.save_credit(uow.session, {**credit, "status": "paid", "reason": None, "base": share.base,
                                         "currency": terms.currency, "quota_period": quota_period,
                                         "plan_id": plan.plan_id, "plan_version": plan.version})
    await _announce_paid(uow, rep_id, deal.deal_id, period, terms.currency, lines)


async def _announce_paid(uow: UnitOfWork, rep_id: str, deal_id: str, period: str, currency: str,
                         lines: list[Line]) -> None:
    await uow.emit("coxswain.commission.calculated.v1", subject=f"{rep_id}:{deal_id}", data=ev.CommissionCalculated(
        rep_id=rep_id, deal_id=deal_id, period=period, amount=total(lines), currency=currency,
        lines=[ev.CommissionLine.model_validate({  # kind, tier and attainment ride as extra fields
            "component": x.component, "base": x.base, "rate": x.rate, "amount": x.amount, "kind": x.kind,
            "tier": x.tier, "attainment_before": x.attainment_before, "attainment_after": x.attainment_after,
        }) for x in lines]))


async def pay_deal(uow: UnitOfWork, deal: repo.Deal, source: str) -> None:
    previous = {c.rep_id: c.credit_no for c in await repo.credits_of(uow.session, deal.deal_id)}
    for rep_id, percent in deal.facts.splits:
        await pay_rep(uow, deal, rep_id, percent, previous.get(rep_id, 0) + 1, source)


async def claw_back(uow: UnitOfWork, deal_id: str, reason: str, source: str) -> None:
    """Every standing credit on the deal is undone by negated lines in the current open period."""
    now = uow.clock.now()
    for credit in await repo.credits_of(uow.session, deal_id):
        if credit.status == "pending":
            await repo.set_credit_status(uow.session, deal_id, credit.rep_id, "cancelled", reason, now)
        if credit.status != "paid" or credit.quota_period is None:
            continue
        lines = reversal(await repo.lines_of_credit(uow.session, credit), reason)
        period = first_open(period_of(now.date(), kind_of(credit.quota_period)),
                            await repo.closed_periods(uow.session))
        await repo.add_lines(uow.session, lines, {
            "rep_id": credit.rep_id, "deal_id": deal_id, "period": period, "currency": credit.currency,
            "plan_id": credit.plan_id, "plan_version": credit.plan_version, "credit_no": credit.credit_no,
            "source_event_id": source, "created_at": now})
        await repo.set_credit_status(uow.session, deal_id, credit.rep_id, "reversed", reason, now)
        await uow.emit("coxswain.commission.reversed.v1", subject=f"{credit.rep_id}:{deal_id}",
                       data=ev.CommissionReversed(rep_id=credit.rep_id, deal_id=deal_id, period=period,
                                                  amount=total(lines), currency=credit.currency or "USD",
                                                  reason=reason))


async def pay_waiting(uow: UnitOfWork, rep_id: str | None = None) -> int:
    """Try every pending credit again (a plan, quota or rate arrived); returns how many got paid."""
    paid = 0
    for row in await repo.pending(uow.session, rep_id):
        deal = await repo.deal(uow.session, row["deal_id"])
        if deal is None or deal.facts.status != "won":
            continue
        await pay_rep(uow, deal, row["rep_id"], row["percent"], row["credit_no"], "pending")
        paid += (await repo.credit_status(uow.session, row["deal_id"], row["rep_id"])) == "paid"
    return paid
