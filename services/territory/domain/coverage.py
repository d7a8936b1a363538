"""Coverage: per territory and per rep, the load, the demand waiting, the pipeline, the wins against quota
and how quickly assigned leads get their first touch. Computed from the lead and deal books (one row per
lead or deal, kept from events), so a repeated or stale event can never count twice."""
from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from services.territory.domain.territories import Rep, Territory
from shared.crediting import Splits, attainment_percent, split_credits
from shared.periods import Period, covered_amount

Amounts = dict[str, Decimal]  # currency -> amount
Quotas = Mapping[str, tuple[Decimal, str]]  # rep id -> (amount, currency) for the period


@dataclass(frozen=True)
class LeadFact:
    lead_id: str
    territory_id: str | None
    rep_id: str | None
    is_open: bool
    assigned_at: datetime | None = None
    first_touch_at: datetime | None = None
    profile: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DealFact:
    deal_id: str
    territory_id: str | None
    owner_id: str
    amount: Decimal
    currency: str
    status: str  # open | won | lost
    closed_at: datetime | None = None
    lead_id: str | None = None
    splits: Splits = ()  # none: the owner is credited 100% (shared.crediting)


@dataclass(frozen=True)
class Figures:
    open_leads: int
    waiting_without_rep: int
    active_reps: int
    capacity: int
    capacity_used_percent: Decimal | None
    open_pipeline: Amounts
    won: Amounts
    quota: Amounts
    attainment_percent: dict[str, Decimal]
    median_minutes_to_first_touch: Decimal | None


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """`2026`, `2026-Q4` or `2026-11` → [start, end) in UTC (shared.periods, as forecast reads them)."""
    return Period.parse(period).utc_bounds


def quota_of(period: str, set_for: Mapping[str, tuple[Decimal, str]]) -> tuple[Decimal, str] | None:
    """One rep's quota for the period as forecast reads it: set for exactly the period, else the sum of what is
    set for the periods inside it (month quotas inside a quarter count toward it), in the first currency found."""
    return covered_amount(Period.parse(period), set_for)


def _add(into: Amounts, currency: str, amount: Decimal) -> None:
    into[currency] = into.get(currency, Decimal(0)) + amount


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return None if whole == 0 else (part * 100 / whole).quantize(Decimal("0.1"))


def figures(leads: Iterable[LeadFact], deals: Iterable[DealFact], reps: Iterable[Rep], quotas: Quotas,
            period: tuple[datetime, datetime]) -> Figures:
    leads, active = list(leads), [r for r in reps if r.active]
    open_leads = [lead for lead in leads if lead.is_open]
    held = sum(1 for lead in open_leads if lead.rep_id is not None)
    capacity = sum(r.capacity for r in active)
    pipeline: Amounts = {}
    won: Amounts = {}
    for deal in deals:
        if deal.status == "open":
            _add(pipeline, deal.currency, deal.amount)
        elif deal.status == "won" and deal.closed_at is not None and period[0] <= deal.closed_at < period[1]:
            _add(won, deal.currency, deal.amount)
    quota: Amounts = {}
    for rep in active:
        if rep.id in quotas:
            _add(quota, quotas[rep.id][1], quotas[rep.id][0])
    touches = [Decimal(int((lead.first_touch_at - lead.assigned_at).total_seconds())) / 60 for lead in leads
               if lead.assigned_at and lead.first_touch_at and lead.first_touch_at >= lead.assigned_at]
    return Figures(
        open_leads=len(open_leads), waiting_without_rep=len(open_leads) - held, active_reps=len(active),
        capacity=capacity, capacity_used_percent=_percent(Decimal(held), Decimal(capacity)),
        open_pipeline=pipeline, won=won, quota=quota,
        attainment_percent={c: p for c, q in quota.items()
                            if (p := attainment_percent(won.get(c, Decimal(0)), q)) is not None},
        median_minutes_to_first_touch=statistics.median(touches).quantize(Decimal("0.1")) if touches else None)


def subtree(territory_id: str, territories: Mapping[str, Territory]) -> set[str]:
    children: dict[str | None, list[str]] = defaultdict(list)
    for t in territories.values():
        children[t.parent_id].append(t.id)
    found, stack = set(), [territory_id]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, ()))
    return found


def territory_coverage(territories: Mapping[str, Territory], reps: Mapping[str, Rep], leads: list[LeadFact],
                       deals: list[DealFact], quotas: Quotas, period: tuple[datetime, datetime],
                       *, rollup: bool) -> dict[str, Figures]:
    """Each territory's figures; with `rollup`, a parent's include all its descendants'."""
    leads_by, deals_by = defaultdict(list), defaultdict(list)
    for lead in leads:
        leads_by[lead.territory_id].append(lead)
    for deal in deals:
        deals_by[deal.territory_id].append(deal)
    out = {}
    for tid in territories:
        ids = subtree(tid, territories) if rollup else {tid}
        members = {r for t in ids for r in territories[t].rep_ids if r in reps}
        out[tid] = figures([x for t in ids for x in leads_by[t]], [x for t in ids for x in deals_by[t]],
                           [reps[r] for r in sorted(members)], quotas, period)
    return out


def rep_coverage(reps: Mapping[str, Rep], leads: list[LeadFact], deals: list[DealFact], quotas: Quotas,
                 period: tuple[datetime, datetime]) -> dict[str, Figures]:
    """Each rep's figures; a deal counts for every rep it credits, at their credited share (splits view)."""
    leads_by, deals_by = defaultdict(list), defaultdict(list)
    for lead in leads:
        leads_by[lead.rep_id].append(lead)
    for deal in deals:
        for rep_id, share in split_credits(deal.amount, deal.owner_id, deal.splits):
            deals_by[rep_id].append(replace(deal, amount=share))
    return {r: figures(leads_by[r], deals_by[r], [rep], quotas, period) for r, rep in reps.items()}


def unplaced(leads: list[LeadFact], territories: Mapping[str, Territory]) -> int:
    """Open leads no territory holds (no rule matched, no default): demand nobody covers."""
    return sum(1 for lead in leads if lead.is_open and (lead.territory_id is None or lead.territory_id not in
                                                        territories))
