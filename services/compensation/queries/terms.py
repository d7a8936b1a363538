"""The terms a batch of credits and calculations needs (assignments, plan versions, quotas, exchange rates),
loaded in one query per table and answered in memory: the plan version a rep is on on a day (the version in
force of the plan assigned that day), a rep's quota for a period (shared.periods.covered_amount, as every
service reads it), the exchange rate effective on a day.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from services.compensation.db import plans_repo, rates_repo
from services.compensation.domain.plans import PlanTerms, parse_terms
from shared.db.uow import UnitOfWork
from shared.periods import Period, covered_amount


class TermsBook:
    """What is loaded so far; `load` fetches only the reps, plans and currencies not asked for before."""

    def __init__(self) -> None:
        self._reps: set[str] = set()
        self._plans: set[str] = set()
        self._bases: set[str] = set()
        self._assignments: dict[str, list[plans_repo.Assignment]] = defaultdict(list)
        self._versions: dict[str, list[plans_repo.PlanVersion]] = defaultdict(list)
        self._quotas: dict[str, dict[str, tuple[Decimal, str]]] = defaultdict(dict)
        self._rates: dict[tuple[str, str], list[tuple[date, Decimal]]] = defaultdict(list)
        self._terms: dict[tuple[str, int], PlanTerms] = {}

    async def load(self, uow: UnitOfWork, *, reps: Iterable[str] = (), plans: Iterable[str] = (),
                   currencies: Iterable[str] = ()) -> TermsBook:
        """The reps' assignments and quotas, the versions of their plans and of `plans`, the rates out of
        `currencies`: at most one query per table."""
        new_reps = set(reps) - self._reps
        self._reps |= new_reps
        for a in await plans_repo.assignments_of(uow.session, new_reps):
            self._assignments[a.rep_id].append(a)
        for q in await plans_repo.quotas_set(uow.session, new_reps):
            self._quotas[q.rep_id][q.period] = (q.amount, q.currency)
        wanted = set(plans) | {a.plan_id for r in new_reps for a in self._assignments.get(r, [])}
        new_plans = wanted - self._plans
        self._plans |= new_plans
        for v in await plans_repo.versions_of(uow.session, new_plans):
            self._versions[v.plan_id].append(v)
        new_bases = set(currencies) - self._bases
        self._bases |= new_bases
        for r in await rates_repo.rates_from(uow.session, new_bases):
            self._rates[(r.base, r.quote)].append((r.effective_on, r.rate))
        return self

    def plan_for(self, rep_id: str, day: date) -> plans_repo.PlanVersion | None:
        """The version in force on `day` of the plan the rep is assigned to on that day."""
        found = [v for a in self._assignments.get(rep_id, [])
                 if a.starts_on <= day and (a.ends_on is None or a.ends_on >= day)
                 for v in self._versions.get(a.plan_id, []) if v.effective_from <= day]
        return max(found, key=lambda v: (v.effective_from, v.version), default=None)

    def terms(self, plan_id: str, version: int) -> PlanTerms:
        key = (plan_id, version)
        if key not in self._terms:
            raw = next((v.terms for v in self._versions.get(plan_id, []) if v.version == version), None)
            assert raw is not None, f"credit on unknown plan version {key}"
            self._terms[key] = parse_terms(raw)
        return self._terms[key]

    def quota(self, rep_id: str, period: str) -> tuple[Decimal, str] | None:
        """Set for exactly the period, else the sum of what is set for the periods inside it."""
        return covered_amount(Period.parse(period), self._quotas.get(rep_id, {}))

    def rate_on(self, base: str, quote: str, day: date) -> Decimal | None:
        effective = [(on, rate) for on, rate in self._rates.get((base, quote), []) if on <= day]
        return max(effective)[1] if effective else None
