"""The four methods on hand-computed figures."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from services.forecast.domain.deals import DealState
from services.forecast.domain.explain import explain
from services.forecast.domain.methods import (
    Context,
    GroupRows,
    MethodSettings,
    StageRecord,
    average_cycle,
    category_rollup,
    cycle_probability,
    figures,
    win_rate,
)
from services.forecast.domain.periods import day_number

pytestmark = pytest.mark.unit
D = Decimal


def test_weighted_is_amount_times_probability_plus_closed_won() -> None:
    rows = GroupRows(totals={"commit": (D("10000.00"), D("4000.0000"), D(1)), "won": (D("5000.00"), D(0), D(1))})
    result = figures(rows, Context({}, D(90), 0))
    # 5,000 won + 10,000 × 40% = 9,000
    assert result.weighted == D("9000")
    assert result.closed_won == D("5000.00")
    assert result.open_pipeline == D("10000.00")


def test_category_rolls_up_cumulatively_and_leaves_omitted_out() -> None:
    amounts = {"commit": D(1000), "most_likely": D(2000), "best_case": D(4000), "pipeline": D(8000),
               "omitted": D(16000), "won": D(500), "lost": D(3000)}
    assert category_rollup(amounts) == {
        "closed": D(500),  # won only
        "commit": D(1500),  # 1,000 + 500
        "most_likely": D(3500),  # 2,000 + 1,500
        "best_case": D(7500),  # 4,000 + 3,500
        "pipeline": D(15000),  # 1,000 + 2,000 + 4,000 + 8,000 (open, omitted out)
    }


def test_historical_win_rate_is_smoothed_toward_the_stage_probability() -> None:
    # 3 won, 1 lost, prior of 10 deals at 20%: (3 + 10 × 0.2) / (3 + 1 + 10) = 5 / 14
    assert win_rate(StageRecord(20, wins=3, losses=1), 10) == D(5) / D(14)
    # no history: exactly the stage probability
    assert win_rate(StageRecord(20), 10) == D("0.2")
    rows = GroupRows(stages={("p1", "s1"): D("14000.00")})
    result = figures(rows, Context({("p1", "s1"): StageRecord(20, 3, 1)}, D(90), 0))
    # 14,000 × 5/14 = 5,000
    assert result.historical.quantize(D("0.01")) == D("5000.00")


def test_cycle_length_four_month_average_and_one_month_of_age_gives_a_quarter() -> None:
    settings = MethodSettings()
    cycle = average_cycle(480, 4, settings)  # four won deals of 120 days on average (about four months)
    assert cycle == D(120)
    assert cycle_probability(D(30), cycle, settings) == D("0.25")  # 30 / 120
    assert cycle_probability(D(200), cycle, settings) == D("0.95")  # capped below 100% while open
    assert average_cycle(0, 0, settings) == D(90)  # the default before anything is won


def test_cycle_length_of_a_group_uses_each_weeks_age() -> None:
    today = day_number(date(2026, 5, 1))
    created = day_number(date(2026, 4, 1))  # 30 days before
    rows = GroupRows(ages={"2026-03-30": (D("8000.00"), D("8000.00") * created)})
    result = figures(rows, Context({}, D(120), today))
    assert result.cycle_length == D("2000")  # 8,000 × 30/120


def test_one_deal_explained_under_each_method() -> None:
    deal = DealState(deal_id="d1", version=2, owner_id="rep-1", amount=D("8000.00"), currency="USD",
                     pipeline_id="p1", stage_id="s2", probability=30, category="best_case",
                     created_at=datetime(2026, 4, 1, tzinfo=UTC))
    ctx = Context({("p1", "s2"): StageRecord(30, wins=1, losses=1)}, D(120), day_number(date(2026, 5, 1)))
    answers = {a.method: a for a in explain(deal, ctx)}
    assert answers["weighted"].amount == D("2400")  # 8,000 × 30%
    assert answers["category"].amount == D(0)  # best case is not in commit
    # (1 + 10 × 0.3) / (1 + 1 + 10) = 4/12 = 1/3 → 8,000 / 3 = 2,666.67
    assert answers["historical"].amount.quantize(D("0.01")) == D("2666.67")
    assert answers["cycle_length"].amount == D("2000")  # 30 / 120 days × 8,000
    assert "30 days" in answers["cycle_length"].why


def test_a_closed_deal_counts_whole_when_won_and_not_at_all_when_lost() -> None:
    deal = DealState(deal_id="d1", version=3, owner_id="rep-1", amount=D("100.00"), currency="USD",
                     pipeline_id="p1", stage_id="won", probability=100, category="closed",
                     created_at=datetime(2026, 4, 1, tzinfo=UTC), status="lost",
                     closed_at=datetime(2026, 4, 9, tzinfo=UTC))
    ctx = Context({}, D(120), 0)
    assert {a.amount for a in explain(deal, ctx)} == {D(0)}
    won = DealState(**{**deal.__dict__, "status": "won"})
    assert {a.amount for a in explain(won, ctx)} == {D("100.00")}
