"""Deal states folded from events, their contribution to the aggregate rows, periods and rollups."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from services.forecast.domain.cells import AGES, STAGES, TOTALS, difference
from services.forecast.domain.deals import DealChange, UnknownDeal, apply
from services.forecast.domain.periods import FiscalCalendar
from services.forecast.domain.quotas import quota_for
from services.forecast.domain.rollup import attainment, coverage, roll_up
from shared.errors import InvalidInput

pytestmark = pytest.mark.unit
D = Decimal
CAL = FiscalCalendar()
CREATED = dict(owner_id="rep-1", territory_id="t-west", company="Acme", amount=D("1000.00"), currency="USD",
               pipeline_id="p1", stage_id="s1", probability=10, category="pipeline",
               expected_close_date=date(2026, 11, 15), created_at=datetime(2026, 10, 5, tzinfo=UTC))


def test_a_stage_change_moves_the_amount_between_buckets_and_stages_only() -> None:
    before = apply(None, DealChange("created", "d1", 1, CREATED))
    after = apply(before, DealChange("stage_changed", "d1", 2, {**CREATED, "stage_id": "s2", "probability": 50,
                                                               "category": "commit"}))
    cells = {(c.kind, c.key): c.measures for c in difference(before, after)}
    # 4 dimensions (rep, split, territory, company) × (two buckets + two stages) in the month; ages unchanged so
    # absent (the split dimension credits the owner 100%: the deal has no splits)
    assert len(cells) == 16
    assert not any(kind == AGES for kind, _ in cells)
    assert cells[(TOTALS, ("2026-11", "rep", "rep-1", "USD", "pipeline"))] == (D("-1000.00"), D("-100"), D(-1))
    assert cells[(TOTALS, ("2026-11", "company", "Acme", "USD", "commit"))] == (D("1000.00"), D("500"), D(1))
    assert cells[(STAGES, ("2026-11", "territory", "t-west", "USD", "p1", "s1"))] == (D("-1000.00"), D(-1))


def test_a_stale_or_repeated_change_is_refused_and_an_unseen_deal_cannot_be_updated() -> None:
    state = apply(None, DealChange("created", "d1", 2, CREATED))
    assert apply(state, DealChange("updated", "d1", 2, {"amount": D(5)})) is None  # repeated sequence
    assert apply(state, DealChange("updated", "d1", 1, {"amount": D(5)})) is None  # older
    with pytest.raises(UnknownDeal):
        apply(None, DealChange("updated", "d9", 1, {"amount": D(5)}))


def test_closing_moves_the_deal_to_the_close_day_period_and_reopening_back() -> None:
    state = apply(None, DealChange("created", "d1", 1, CREATED))
    won = apply(state, DealChange("closed", "d1", 2, {"status": "won", "closed_at": datetime(2027, 1, 3, tzinfo=UTC)}))
    assert won is not None and won.period_day == date(2027, 1, 3)
    cells = {(c.kind, c.key): c.measures for c in difference(state, won)}
    assert cells[(TOTALS, ("2027-01", "rep", "rep-1", "USD", "won"))] == (D("1000.00"), D(0), D(1))
    reopened = apply(won, DealChange("reopened", "d1", 3, {"stage_id": "s1"}))
    assert reopened is not None and reopened.is_open and reopened.period_day == date(2026, 11, 15)
    assert difference(state, reopened) == []  # back exactly where it was


def test_fiscal_periods_with_a_february_start() -> None:
    feb = FiscalCalendar(start_month=2)
    assert feb.periods_of(date(2026, 1, 15)) == ("2026-01", "2026-Q4", "2026")
    assert feb.periods_of(date(2026, 2, 1)) == ("2026-02", "2027-Q1", "2027")
    assert feb.bounds("2027-Q1") == (date(2026, 2, 1), date(2026, 4, 30))
    assert CAL.bounds("2026-Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert CAL.bounds("2026-02") == (date(2026, 2, 1), date(2026, 2, 28))
    assert feb.months_in("2027") == ["2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08",
                                     "2026-09", "2026-10", "2026-11", "2026-12", "2027-01"]
    with pytest.raises(InvalidInput):
        CAL.bounds("2026-Q5")


def test_teams_roll_up_their_hierarchy() -> None:
    team_of = {"r1": "A", "r2": "B"}
    parent = {"B": "A", "A": None}
    totals = roll_up({"r1": 100, "r2": 50, "r3": 7}, team_of, parent, lambda a, b: a + b)
    assert totals == {"A": 150, "B": 50, "unassigned": 7}  # A = 100 + B's 50


def test_attainment_and_coverage() -> None:
    assert attainment(D(80000), D(100000)) == D("0.8")
    # 60,000 open against 100,000 − 40,000 still to close = 1.0
    assert coverage(D(60000), D(40000), D(100000)) == D(1)
    assert coverage(D(60000), D(120000), D(100000)) is None  # quota already met
    assert attainment(D(1), None) is None


def test_a_quota_is_the_periods_own_else_the_sum_of_the_periods_inside_it() -> None:
    usd = {"2026-Q1": (D(100), "USD"), "2026-Q2": (D(200), "USD"), "2026-04": (D(1), "USD"), "2026": (D(999), "USD")}
    assert quota_for("2026-Q1", usd, CAL) == (D(100), "USD")  # set for exactly the quarter
    assert quota_for("2027", {"2027-Q1": (D(100), "USD"), "2027-Q3": (D(50), "USD")}, CAL) == (D(150), "USD")
    assert quota_for("2026-Q3", {"2026-07": (D(10), "USD"), "2026-09": (D(20), "USD")}, CAL) == (D(30), "USD")
    assert quota_for("2026", usd, CAL) == (D(999), "USD")  # the year's own quota first
    assert quota_for("2026-05", usd, CAL) is None
