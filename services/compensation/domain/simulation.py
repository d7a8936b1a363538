"""What-if: a period's paid credits recalculated under draft terms, in the order they were paid."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.compensation.domain.calculation import DealShare, Standing, calculate, total
from services.compensation.domain.commission import HUNDRED
from services.compensation.domain.plans import PlanTerms


@dataclass(frozen=True)
class PaidCredit:
    deal_id: str
    rep_id: str
    closed_on: date
    percent: Decimal
    base: Decimal  # in the plan's currency
    paid: Decimal  # what the ledger paid on it (before any reversal)
    products: frozenset[str] = frozenset()
    new_logo: bool = False


@dataclass(frozen=True)
class RepOutcome:
    rep_id: str
    current: Decimal
    simulated: Decimal

    @property
    def difference(self) -> Decimal:
        return self.simulated - self.current


def simulate(terms: PlanTerms, credits: list[PaidCredit], quotas: dict[str, Decimal]) -> list[RepOutcome]:
    credited: dict[str, Decimal] = {}
    paid_in_period: dict[str, Decimal] = {}
    current: dict[str, Decimal] = {}
    simulated: dict[str, Decimal] = {}
    for c in credits:
        deal_amount = c.base * HUNDRED / c.percent if c.percent else c.base
        share = DealShare(c.deal_id, c.rep_id, c.closed_on, deal_amount, c.percent, c.base, c.products, c.new_logo)
        quota = quotas.get(c.rep_id)
        if terms.needs_quota and not quota:
            lines = []
        else:
            standing = Standing(credited.get(c.rep_id, Decimal(0)), quota, paid_in_period.get(c.rep_id, Decimal(0)))
            lines = calculate(terms, share, standing)
        credited[c.rep_id] = credited.get(c.rep_id, Decimal(0)) + c.base
        capped = sum((x.amount for x in lines if x.kind != "spif"), Decimal(0))
        paid_in_period[c.rep_id] = paid_in_period.get(c.rep_id, Decimal(0)) + capped
        simulated[c.rep_id] = simulated.get(c.rep_id, Decimal("0.00")) + total(lines)
        current[c.rep_id] = current.get(c.rep_id, Decimal("0.00")) + c.paid
    return [RepOutcome(rep, current[rep], simulated[rep]) for rep in sorted(current)]
