"""Coverage figures from facts: periods, capacity use, medians, won-in-period and attainment."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.territory.domain.coverage import DealFact, LeadFact, figures, period_bounds
from services.territory.domain.territories import Rep
from shared.errors import InvalidInput

pytestmark = pytest.mark.unit
T0 = datetime(2026, 10, 1, tzinfo=UTC)


def test_period_bounds() -> None:
    assert period_bounds("2026-Q4") == (T0, datetime(2027, 1, 1, tzinfo=UTC))
    assert period_bounds("2026-02") == (datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC))
    assert period_bounds("2026") == (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    for bad in ("2026-Q5", "2026-13", "26-Q1", "2026-Q"):
        with pytest.raises(InvalidInput):
            period_bounds(bad)


def test_figures_count_only_what_belongs() -> None:
    reps = [Rep("a", "a", "a@x", None, True, 3), Rep("b", "b", "b@x", None, True, 5),
            Rep("c", "c", "c@x", None, False, 9)]  # c inactive: no capacity, no quota
    touch = [10, 20, 60]  # minutes from assignment to first touch: median 20
    leads = [LeadFact(f"l{i}", "t", "a" if i < 3 else None, True, T0, T0 + timedelta(minutes=m))
             for i, m in enumerate(touch)]
    leads += [LeadFact("l9", "t", None, True), LeadFact("lx", "t", "b", False)]
    deals = [DealFact("d1", "t", "a", Decimal("100.10"), "EUR", "open"),
             DealFact("d2", "t", "a", Decimal("250.00"), "EUR", "won", T0),
             DealFact("d3", "t", "a", Decimal("999.00"), "EUR", "won", T0 - timedelta(seconds=1)),  # last quarter
             DealFact("d4", "t", "b", Decimal("50.00"), "EUR", "lost", T0)]
    quotas = {"a": (Decimal("1000.00"), "EUR"), "c": (Decimal("500.00"), "EUR")}
    f = figures(leads, deals, reps, quotas, period_bounds("2026-Q4"))
    # 4 open (l0, l1, l2, l9); held by a rep: 3 of capacity 3 + 5 = 8 → 37.5%; waiting: l9.
    assert (f.open_leads, f.waiting_without_rep, f.active_reps, f.capacity, f.capacity_used_percent) == (
        4, 1, 2, 8, Decimal("37.5"))
    # won in Q4: d2 250.00 only; quota: a's 1000.00 (c inactive) → 25.0%.
    assert (f.open_pipeline, f.won, f.quota) == ({"EUR": Decimal("100.10")}, {"EUR": Decimal("250.00")},
                                                 {"EUR": Decimal("1000.00")})
    assert f.attainment_percent == {"EUR": Decimal("25.0")}
    assert f.median_minutes_to_first_touch == Decimal("20.0")
