"""Writing the ledger: when a deal's facts, a quota, a plan or a rate change, each touched rep-period is
recalculated from scratch and the difference appended. Callers own the commit.

Two steps, each a function of the facts alone: `credit_deals` decides who is credited what on each deal
(or why the credit waits), `recalculate` makes a rep-period's lines add up to the plan applied to its credits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from services.compensation.db import deals_repo, sequences
from services.compensation.db import ledger_repo as repo
from services.compensation.db.ledger_repo import RepPeriod
from services.compensation.domain.calculation import Line, total
from services.compensation.domain.commission import convert, split_share
from services.compensation.domain.periods import first_open, period_of
from services.compensation.domain.plans import PlanTerms
from services.compensation.domain.recalculation import LedgerLine, calculate_period, differences
from services.compensation.queries.calculation import Waiting, periods_credits, rate_in
from services.compensation.queries.terms import TermsBook
from shared.db.uow import UnitOfWork
from shared.events import catalog as ev


@dataclass(frozen=True)
class Cause:
    """Why lines are appended, and the event or request that caused it (written on every line)."""
    reason: str
    source: str


Step = tuple[str, deals_repo.Deal | None, Cause]  # a deal, its facts at this step (None: unknown), and why


async def lock(uow: UnitOfWork) -> None:
    """The ledger's one lock (db.ledger_repo.lock_ledger), once per transaction, before the facts are read."""
    await repo.lock_ledger(uow.session)


async def credit_deals(uow: UnitOfWork, deal_ids: list[str], cause: Cause) -> None:
    """Re-derive the credits of these deals from their facts, then recalculate every rep-period they touch."""
    await lock(uow)
    known = await deals_repo.deals_by_id(uow.session, deal_ids)
    await credit_steps(uow, [(deal_id, known.get(deal_id), cause) for deal_id in sorted(set(deal_ids))])


async def credit_steps(uow: UnitOfWork, steps: list[Step]) -> None:
    """Re-derive each deal's credits at each step in turn (a batch may take a deal through several states),
    then recalculate once every rep-period any step touched, for the last cause that touched it. Credits, terms
    and the recalculation's reads are loaded a table at a time and the credits written in one statement: the
    same credits and, per rep-period, the same total as the steps one at a time (the ledger is
    path-independent). The caller holds the ledger's lock (`lock`), taken before it read the deals."""
    now = uow.clock.now()
    stored = await repo.credit_rows(uow.session, {deal_id for deal_id, _, _ in steps})
    held = {deal_id: {c["rep_id"]: c for c in cs} for deal_id, cs in stored.items()}
    reps = {rep for cs in held.values() for rep in cs} | {rep for _, d, _ in steps if d for rep, _ in d.facts.splits}
    book = await TermsBook().load(uow, reps=reps, currencies={d.facts.currency for _, d, _ in steps if d})
    changed: dict[tuple[str, str], repo.CreditValues] = {}
    touched: dict[RepPeriod, Cause] = {}
    for deal_id, deal, cause in steps:
        for rep_period in _credit_deal(book, held[deal_id], deal, now, changed):
            touched[rep_period] = cause
    await repo.save_credits(uow.session, [changed[k] for k in sorted(changed)])
    await recalculate_periods(uow, touched, book)


def _credit_deal(book: TermsBook, held: dict[str, repo.CreditValues], deal: deals_repo.Deal | None,
                 now: datetime, changed: dict[tuple[str, str], repo.CreditValues]) -> set[RepPeriod]:
    """The deal's credits (`held`, by rep) as its facts now say, noting each one rewritten in `changed`;
    returns the rep-periods counted before or after."""
    before = [held[rep] for rep in sorted(held)]
    touched = {(c["rep_id"], c["quota_period"]) for c in before if c["status"] == "paid" and c["quota_period"]}
    shares = dict(deal.facts.splits) if deal is not None and deal.facts.status == "won" else {}
    rewritten: list[repo.CreditValues] = []
    for c in before:
        if c["rep_id"] not in shares and c["status"] in ("paid", "pending"):
            status = "reversed" if c["status"] == "paid" else "cancelled"
            rewritten.append({**c, "status": status, "reason": _why_not(deal), "updated_at": now})
    for rep_id, percent in shares.items():
        assert deal is not None
        credit = _credit(book, deal, rep_id, percent, held[rep_id]["credit_no"] if rep_id in held else 1, now)
        rewritten.append(credit)
        quota_period = credit["quota_period"]
        if credit["status"] == "paid" and quota_period is not None:  # a paid credit always has its quota period
            touched.add((rep_id, quota_period))
    for c in rewritten:
        held[c["rep_id"]] = changed[(c["deal_id"], c["rep_id"])] = c
    return touched


def _why_not(deal: deals_repo.Deal | None) -> str:
    status = deal.facts.status if deal else "unknown"
    return {"open": "deal reopened", "lost": "deal lost after won"}.get(status, "no longer credited on the deal")


def _credit(book: TermsBook, deal: deals_repo.Deal, rep_id: str, percent: Decimal, credit_no: int,
            now: datetime) -> repo.CreditValues:
    """One rep's credit on a won deal: paid (counted in a quota period) or pending with what it waits for."""
    assert deal.closed_at is not None
    day = deal.closed_at.date()
    try:
        plan = book.plan_for(rep_id, day)
        if plan is None:
            raise Waiting(f"no plan assigned to {rep_id} in force on {day}")
        terms = book.terms(plan.plan_id, plan.version)
        rate = rate_in(book, deal.facts.currency, terms, day)
        quota_period = period_of(day, terms.period_kind)
        _quota(book, rep_id, quota_period, terms)
    except Waiting as waiting:
        return repo.CreditValues(deal_id=deal.deal_id, rep_id=rep_id, credit_no=credit_no, percent=percent,
                                 status="pending", reason=str(waiting), base=None, currency=None, quota_period=None,
                                 plan_id=None, plan_version=None, updated_at=now)
    return repo.CreditValues(deal_id=deal.deal_id, rep_id=rep_id, credit_no=credit_no, percent=percent,
                             status="paid", reason=None, base=convert(split_share(deal.facts.amount, percent), rate),
                             currency=terms.currency, quota_period=quota_period, plan_id=plan.plan_id,
                             plan_version=plan.version, updated_at=now)


def _quota(book: TermsBook, rep_id: str, period: str, terms: PlanTerms) -> Decimal | None:
    found = book.quota(rep_id, period)
    if found and found[1] != terms.currency:
        raise Waiting(f"quota for {period} is in {found[1]} but the plan pays in {terms.currency}")
    if found is None and terms.needs_quota:
        raise Waiting(f"no quota for {rep_id} in {period}")
    return found[0] if found else None


async def recalculate(uow: UnitOfWork, rep_id: str, quota_period: str, cause: Cause) -> None:
    """Append what makes the rep-period's lines equal its calculation (see `recalculate_periods`)."""
    await recalculate_periods(uow, {(rep_id, quota_period): cause})


async def recalculate_periods(uow: UnitOfWork, touched: dict[RepPeriod, Cause], book: TermsBook | None = None) -> None:
    """Append what makes each rep-period's lines equal its calculation, each once; a locked period's difference
    lands in the first open one as a prior-period adjustment naming the period it corrects. The credits, the
    lines and the terms of all the rep-periods are read at once, the lines appended in one statement."""
    if not touched:
        return
    wanted = sorted(touched)
    book = book or TermsBook()
    inputs = await periods_credits(uow, wanted, book)
    paid = await repo.lines_of_periods(uow.session, wanted)
    closed = await repo.closed_periods(uow.session)
    groups: list[tuple[list[Line], repo.LineContext]] = []
    announced: list[tuple[str, str, str, str, list[Line], bool, Cause]] = []
    for rep_id, quota_period in wanted:
        cause = touched[(rep_id, quota_period)]
        expected = calculate_period(*inputs[(rep_id, quota_period)])
        landing = first_open(quota_period, closed)
        reason = (cause.reason if landing == quota_period
                  else f"prior-period adjustment for {quota_period}: {cause.reason}")
        appended = differences(expected, paid[(rep_id, quota_period)], reason)
        if not appended:
            continue
        currency = await _currency(uow, book, rep_id, quota_period, expected)
        for deal_id in dict.fromkeys(x.deal_id for x in appended):
            lines = [x for x in appended if x.deal_id == deal_id]
            groups.extend(([x.line], repo.LineContext(
                rep_id=rep_id, deal_id=deal_id, period=landing, quota_period=quota_period, currency=currency,
                plan_id=x.plan_id, plan_version=x.plan_version, credit_no=1, source_event_id=cause.source,
                created_at=uow.clock.now())) for x in lines)
            still_paid = any(x.deal_id == deal_id for x in expected)
            announced.append((rep_id, deal_id, landing, currency, [x.line for x in lines], still_paid, cause))
    await repo.add_line_groups(uow.session, groups)
    numbers = await sequences.next_sequences(uow.session, [
        sequences.stream_of(_type(a[5]), f"{a[0]}:{a[1]}") for a in announced])  # one statement for them all
    for a, number in zip(announced, numbers, strict=True):
        await _announce(uow, *a, number)


async def _currency(uow: UnitOfWork, book: TermsBook, rep_id: str, quota_period: str,
                    expected: list[LedgerLine]) -> str:
    """The plan's currency; for a period whose every credit went away, the currency it was paid in."""
    for x in expected:
        if x.plan_id and x.plan_version:
            return book.terms(x.plan_id, x.plan_version).currency
    return await repo.period_currency(uow.session, rep_id, quota_period) or "USD"


def _type(still_paid: bool) -> str:
    return "coxswain.commission.calculated.v1" if still_paid else "coxswain.commission.reversed.v1"


async def _announce(uow: UnitOfWork, rep_id: str, deal_id: str, period: str, currency: str, lines: list[Line],
                    still_paid: bool, cause: Cause, sequence: int) -> None:
    subject = f"{rep_id}:{deal_id}"
    if not still_paid:
        await uow.emit(_type(still_paid), subject=subject, sequence=sequence, data=ev.CommissionReversed(
            rep_id=rep_id, deal_id=deal_id, period=period, amount=total(lines), currency=currency,
            reason=cause.reason))
        return
    await uow.emit(_type(still_paid), subject=subject, sequence=sequence, data=ev.CommissionCalculated(
        rep_id=rep_id, deal_id=deal_id, period=period, amount=total(lines), currency=currency,
        lines=[ev.CommissionLine(
            component=x.component, base=x.base, rate=x.rate, amount=x.amount, kind=x.kind, tier=x.tier,
            attainment_before=x.attainment_before, attainment_after=x.attainment_after) for x in lines]))


async def credit_changed_terms(uow: UnitOfWork, cause: Cause, *, rep_ids: set[str] | None = None,
                               plan_id: str | None = None, currency: str | None = None) -> None:
    """A quota, plan version, assignment or exchange rate changed: re-credit what it may move, and what waited."""
    deal_ids = await repo.credited_deals(uow.session, rep_ids=rep_ids, plan_id=plan_id, currency=currency)
    await credit_deals(uow, deal_ids, cause)
