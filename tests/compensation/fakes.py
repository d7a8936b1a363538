"""An in-memory ledger driven by the domain's decisions, the way the service's handlers drive it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from services.compensation.domain import deals
from services.compensation.domain.calculation import DealShare, Line, Standing, calculate, reversal, total
from services.compensation.domain.commission import split_share, to_cents
from services.compensation.domain.plans import PlanTerms


@dataclass(frozen=True)
class Fact:
    event_id: str
    kind: str  # won, reopened, changed
    deal_id: str
    amount: Decimal = Decimal(0)
    splits: deals.Splits = ()


@dataclass
class FakeLedger:
    terms: PlanTerms
    quota: Decimal
    seen: set[str] = field(default_factory=set)
    known: dict[str, deals.DealFacts] = field(default_factory=dict)
    lines: list[tuple[str, str, Line]] = field(default_factory=list)  # (rep, deal, line)
    credited: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (rep, deal) → base
    active: dict[tuple[str, str], list[Line]] = field(default_factory=dict)  # what a reversal undoes

    def apply(self, fact: Fact) -> None:
        if fact.event_id in self.seen:  # the dispatcher's inbox
            return
        self.seen.add(fact.event_id)
        known = self.known.get(fact.deal_id)
        if fact.kind == "won":
            action = deals.on_won(known, fact.amount, "USD", fact.splits)
        elif fact.kind == "reopened":
            action = deals.on_unwon(known)
        else:
            action = deals.on_changed(known, fact.amount, None, fact.splits)
        if action in ("reverse", "recredit"):
            self._reverse(fact.deal_id)
        if action in ("credit", "recredit"):
            self._credit(fact)
        if action == "reverse":
            self.known[fact.deal_id] = deals.DealFacts("open", known.amount, "USD", known.splits)  # type: ignore

    def _credit(self, fact: Fact) -> None:
        for rep, percent in fact.splits:
            before = sum((b for (r, _), b in self.credited.items() if r == rep), Decimal(0))
            base = to_cents(split_share(fact.amount, percent))
            share = DealShare(fact.deal_id, rep, date(2026, 11, 1), fact.amount, percent, base)
            paid = calculate(self.terms, share, Standing(before, self.quota))
            self.lines += [(rep, fact.deal_id, x) for x in paid]
            self.credited[(rep, fact.deal_id)] = base
            self.active[(rep, fact.deal_id)] = paid
        self.known[fact.deal_id] = deals.DealFacts("won", fact.amount, "USD", fact.splits)

    def _reverse(self, deal_id: str) -> None:
        for rep, deal in [k for k in self.active if k[1] == deal_id]:
            self.lines += [(rep, deal, x) for x in reversal(self.active.pop((rep, deal)))]
            del self.credited[(rep, deal)]

    def totals(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for rep, _, x in self.lines:
            out[rep] = out.get(rep, Decimal(0)) + x.amount
        return out

    def total(self) -> Decimal:
        return total([x for _, _, x in self.lines])
