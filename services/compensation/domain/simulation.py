"""What-if: a period's credits recalculated under draft terms, by the same calculation the ledger uses."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from services.compensation.domain.plans import PlanTerms
from services.compensation.domain.recalculation import Credit, calculate_period, period_total


@dataclass(frozen=True)
class RepOutcome:
    rep_id: str
    current: Decimal
    simulated: Decimal

    @property
    def difference(self) -> Decimal:
        return self.simulated - self.current


def simulate(terms: PlanTerms, credits: Mapping[str, Sequence[Credit]], quotas: Mapping[str, Decimal | None],
             current: Mapping[str, Decimal]) -> list[RepOutcome]:
    """Each rep's period under `terms` beside what the ledger holds for it now (`current`)."""
    return [RepOutcome(rep, current.get(rep, Decimal("0.00")),
                       period_total(calculate_period([replace(c, terms=terms) for c in credits[rep]], quotas.get(rep))))
            for rep in sorted(credits)]
