"""Coverage credits reps as compensation does (splits), reads quotas with forecast's period arithmetic (month
quotas inside a quarter count toward it), and gives attainment to 4 places — hand-computed."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from services.territory.domain.coverage import DealFact, period_bounds, quota_of, rep_coverage
from services.territory.domain.territories import Rep
from shared.errors import InvalidInput
from shared.periods import Period, covering

pytestmark = pytest.mark.unit
D = Decimal
NOV = datetime(2026, 11, 2, tzinfo=UTC)
Q4 = period_bounds("2026-Q4")


def test_one_period_arithmetic() -> None:
    q4 = Period.parse("2026-Q4")
    assert (q4.first, q4.last, q4.months()) == (date(2026, 10, 1), date(2026, 12, 31),
                                                ["2026-10", "2026-11", "2026-12"])
    assert Period.parse("2026").levels()[1] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    # a fiscal year starting in February: fiscal 2027 runs Feb 2026 - Jan 2027, its Q1 Feb-Apr 2026
    fq1 = Period.parse("2027-Q1", start_month=2)
    assert (fq1.first, fq1.last) == (date(2026, 2, 1), date(2026, 4, 30))
    assert Period.parse("2026-02").contains(date(2026, 2, 28)) and not q4.contains(date(2027, 1, 1))
    for bad in ("2026-Q5", "2026-13", "26-Q1", "1899", "3000-01", "2026-Q"):
        with pytest.raises(InvalidInput):
            Period.parse(bad)
    # the quarter itself wins; without it, the months inside it that are set
    assert covering(q4, {"2026-Q4": 1, "2026-10": 2}) == [1]
    assert covering(q4, {"2026-10": 2, "2026-12": 3, "2027-01": 4}) == [2, 3]


def test_month_quotas_inside_a_quarter_count_toward_it() -> None:
    # 3,000 + 3,000 + 4,000 set per month → 10,000 for 2026-Q4 (a quota in another currency is left out)
    months = {"2026-10": (D("3000.00"), "USD"), "2026-11": (D("3000.00"), "USD"), "2026-12": (D("4000.00"), "USD"),
              "2027-01": (D("9000.00"), "USD")}
    assert quota_of("2026-Q4", months) == (D("10000.00"), "USD")
    assert quota_of("2026-Q4", {**months, "2026-Q4": (D("12000.00"), "USD")}) == (D("12000.00"), "USD")
    assert quota_of("2026-Q3", months) is None


def test_rep_coverage_credits_each_split_rep_their_share() -> None:
    reps = {r: Rep(r, r, f"{r}@x", "west", True, 10) for r in ("rep-1", "rep-2", "rep-3")}
    deals = [DealFact("d1", "t", "rep-1", D("1000.00"), "USD", "won", NOV, splits=(("rep-1", D(60)), ("rep-2", D(40)))),
             DealFact("d2", "t", "rep-1", D("500.00"), "USD", "won", NOV),  # no splits: the owner 100%
             DealFact("d3", "t", "rep-1", D("100.01"), "USD", "won", NOV,
                      splits=(("rep-2", D("33.33")), ("rep-3", D("66.67"))))]
    quotas = {"rep-1": (D("1200.00"), "USD"), "rep-2": (D("1500.00"), "USD"), "rep-3": (D("200.00"), "USD")}
    by_rep = rep_coverage(reps, [], deals, quotas, Q4)
    # rep-1: 600 + 500 = 1,100 of 1,200 → 91.6667%; the owner view would have said 1,600.01 (133.3342%)
    assert by_rep["rep-1"].won == {"USD": D("1100.00")}
    assert by_rep["rep-1"].attainment_percent == {"USD": D("91.6667")}
    # rep-2: 400 + 100.01 × 33.33% (33.333333 → 33.33) = 433.33 of 1,500 → 28.8887%
    assert by_rep["rep-2"].won == {"USD": D("433.33")}
    assert by_rep["rep-2"].attainment_percent == {"USD": D("28.8887")}
    # rep-3: 100.01 × 66.67% = 66.676667 → 66.68 of 200 → 33.3400%
    assert by_rep["rep-3"].won == {"USD": D("66.68")}
    assert by_rep["rep-3"].attainment_percent == {"USD": D("33.3400")}
