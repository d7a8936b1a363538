"""A rep-period's commission from scratch, and what the ledger must append to equal it.

The ledger is append-only, yet the total paid must be the plan applied to the facts as they stand now,
whatever order the facts arrived in. So a change never computes "this deal at today's standing": it
recalculates the whole rep-period from its credits, ordered by a fact (close time, then deal id), and appends
the difference against what was already paid, one line per deal, component, kind and tier.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from services.compensation.domain.calculation import DealShare, Line, Standing, calculate
from services.compensation.domain.plans import PlanTerms

CALCULATED_KINDS = ("commission", "true_up", "cap", "spif")  # what the plan decides; draws and adjustments aside
CAPPED_KINDS = ("commission", "true_up", "cap")  # what a period cap counts: SPIFs are outside it

LineKey = tuple[str, str, str, str | None]  # deal, component, kind, tier


@dataclass(frozen=True)
class Credit:
    """A rep's standing credit on a won deal, in the plan's currency, with the plan version in force."""
    share: DealShare
    closed_at: datetime  # orders the period's deals: a fact, not the order events arrived in
    plan_id: str
    plan_version: int
    terms: PlanTerms


@dataclass(frozen=True)
class LedgerLine:
    """A line as the ledger holds it (or should): the deal, the plan version it came from, the figures."""
    deal_id: str
    plan_id: str | None
    plan_version: int | None
    line: Line

    @property
    def key(self) -> LineKey:
        return self.deal_id, self.line.component, self.line.kind, self.line.tier


def calculate_period(credits: Iterable[Credit], quota: Decimal | None) -> list[LedgerLine]:
    """The plan applied to the period's credits, deal by deal in close order, each at the standing before it."""
    credited, capped = Decimal(0), Decimal(0)
    out: list[LedgerLine] = []
    for c in sorted(credits, key=lambda c: (c.closed_at, c.share.deal_id)):
        lines = [] if c.terms.needs_quota and not quota else calculate(c.terms, c.share,
                                                                        Standing(credited, quota, capped))
        credited += c.share.base
        capped += sum((x.amount for x in lines if x.kind in CAPPED_KINDS), Decimal(0))
        out.extend(LedgerLine(c.share.deal_id, c.plan_id, c.plan_version, x) for x in lines)
    return out


def differences(expected: list[LedgerLine], paid: list[LedgerLine], reason: str) -> list[LedgerLine]:
    """The lines to append so that, per deal, component, kind and tier, paid plus appended equals expected."""
    want = _fold(expected)
    have = _fold(paid)
    out: list[LedgerLine] = []
    for key in [*want, *(k for k in have if k not in want)]:  # the calculation's order, then what it drops
        target, current = want.get(key), have.get(key)
        amount = (target.line.amount if target else Decimal(0)) - (current.line.amount if current else Decimal(0))
        base = (target.line.base if target else Decimal(0)) - (current.line.base if current else Decimal(0))
        if amount == 0 and base == 0:
            continue
        model = target or current
        assert model is not None
        out.append(replace(model, line=replace(model.line, base=base, amount=amount, reason=reason)))
    return out


def _fold(lines: list[LedgerLine]) -> dict[LineKey, LedgerLine]:
    """Lines of one key summed into one (the last line's rate, tier and attainment describe it)."""
    out: dict[LineKey, LedgerLine] = {}
    for x in lines:
        seen = out.get(x.key)
        if seen is None:
            out[x.key] = x
            continue
        out[x.key] = replace(x, line=replace(x.line, base=seen.line.base + x.line.base,
                                             amount=seen.line.amount + x.line.amount))
    return out


def period_total(lines: Iterable[LedgerLine]) -> Decimal:
    return sum((x.line.amount for x in lines), Decimal("0.00"))
