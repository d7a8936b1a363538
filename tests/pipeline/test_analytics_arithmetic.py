"""Analytics arithmetic (pure): the summary rows a change moves, periods, medians, velocity."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.pipeline.domain import deals as rules
from services.pipeline.domain import figures
from services.pipeline.domain.analytics import effects_of
from services.pipeline.domain.deals import Deal
from services.pipeline.domain.periods import months_in, previous_period
from services.pipeline.domain.pipelines import default_pipeline
from shared.errors import InvalidInput

pytestmark = pytest.mark.unit
T0 = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)
PIPE = default_pipeline(T0)


def created() -> Deal:
    draft = Deal(id="d", name="A", company=None, amount=Decimal("800.00"), currency="EUR", owner_id="ana",
                 territory_id="nordics", pipeline_id="", stage_id="", probability=0, forecast_category="pipeline",
                 expected_close_date=None, lead_id=None, created_at=T0, team_id="north")
    return rules.open_deal(draft, PIPE, None)


def test_creation_counts_the_first_stage_in_every_scope_and_opens_the_gauge() -> None:
    e = effects_of(None, created(), PIPE, T0)
    assert e.furthest_position == 1
    assert sorted((s.month, s.scope, s.stage_id, s.reached) for s in e.funnel) == [
        ("2026-03", "all", "qualification", 1), ("2026-03", "rep:ana", "qualification", 1),
        ("2026-03", "team:north", "qualification", 1), ("2026-03", "territory:nordics", "qualification", 1)]
    assert {(o.scope, o.deals, o.amount) for o in e.open} == {
        ("all", 1, Decimal("800.00")), ("rep:ana", 1, Decimal("800.00")), ("team:north", 1, Decimal("800.00")),
        ("territory:nordics", 1, Decimal("800.00"))}


def test_a_skip_counts_the_stages_passed_and_dwell_lands_in_the_month_the_deal_left() -> None:
    deal = replace(created(), furthest_position=1)
    at = T0 + timedelta(days=3, hours=6)  # 2026-04-02 18:00, 3.25 days after entry
    moved = rules.move_stage(deal, PIPE, "proposal", at)
    e = effects_of(deal, moved, PIPE, at)
    # the cohort stays March; discovery (passed) and proposal both counted once; dwell 3 d 6 h = 280,800 s
    assert sorted({(s.month, s.stage_id) for s in e.funnel}) == [("2026-03", "discovery"), ("2026-03", "proposal")]
    assert {(d.month, d.stage_id, d.days, d.seconds) for d in e.dwell} == {("2026-04", "qualification", 3, 280_800)}
    assert e.open == [] and e.furthest_position == 3
    back = rules.move_stage(replace(moved, furthest_position=3), PIPE, "discovery", at)
    assert effects_of(replace(moved, furthest_position=3), back, PIPE, at).funnel == []  # already reached


def test_a_win_and_its_reopen_cancel_out() -> None:
    deal = replace(created(), furthest_position=1)
    at = T0 + timedelta(days=5)
    won = rules.close_deal(deal, PIPE, "won", at)
    e = effects_of(deal, won, PIPE, at)
    assert {(o.scope, o.won, o.lost, o.won_amount, o.cycle_seconds) for o in e.outcomes if o.scope == "all"} == {
        ("all", 1, 0, Decimal("800.00"), 432_000)}  # 5 days = 432,000 s
    assert {o.deals for o in e.open} == {-1}
    won = replace(won, furthest_position=e.furthest_position)
    reopened = rules.reopen_deal(won, PIPE, at)
    r = effects_of(won, reopened, PIPE, at)
    assert {(o.won, o.won_amount, o.cycle_seconds) for o in r.outcomes} == {(-1, Decimal("-800.00"), -432_000)}
    assert {(s.stage_id, s.reached) for s in r.funnel} == {("closed_won", -1)}
    assert r.furthest_position == 4 and {o.deals for o in r.open} == {1}


def test_periods_and_their_predecessors() -> None:
    assert months_in("2026-Q2") == ["2026-04", "2026-05", "2026-06"]
    assert len(months_in("2026")) == 12
    assert [previous_period(p) for p in ("2026-Q1", "2026-Q3", "2026-01", "2026-07", "2026")] == [
        "2025-Q4", "2026-Q2", "2025-12", "2026-06", "2025"]
    with pytest.raises(InvalidInput):
        months_in("Q4-2026")


def test_median_of_an_even_count_averages_the_middle_two_and_mean_uses_exact_seconds() -> None:
    # dwells 1 d, 2 d, 2 d, 7 d (as whole days) with 1.5 + 2 + 2.5 + 7 days of seconds = 13 d → mean 3.25
    histogram = [(1, 1, 129_600), (2, 2, 388_800), (7, 1, 604_800)]
    d = figures.dwell(histogram)
    assert (d.deals, d.mean_days, d.median_days) == (4, Decimal("3.25"), Decimal("2.00"))
    assert figures.dwell([]).mean_days is None


def test_velocity_arithmetic() -> None:
    # 12 open × (3 won ÷ 4 closed) × (4,500 ÷ 3 = 1,500 average) ÷ (90 days ÷ 3 = 30 days) = 450.00 a day
    v = figures.velocity(12, 3, 1, Decimal("4500.00"), 90 * 86_400)
    assert (v.win_rate, v.average_deal_size, v.cycle_days, v.velocity_per_day) == (
        Decimal("0.7500"), Decimal("1500.00"), Decimal("30.00"), Decimal("450.00"))
    none_won = figures.velocity(5, 0, 2, Decimal(0), 0)
    assert (none_won.win_rate, none_won.velocity_per_day) == (Decimal("0.0000"), None)


def test_changing_a_won_deals_amount_moves_the_won_amount_and_nothing_else() -> None:
    at = T0 + timedelta(days=5)
    won = replace(rules.close_deal(replace(created(), furthest_position=1), PIPE, "won", at), furthest_position=5)
    bigger, _ = rules.update_deal(won, PIPE, {"amount": Decimal("950.00")})
    e = effects_of(won, bigger, PIPE, at)
    # 950.00 - 800.00 = +150.00 in the close month (2026-04), no change in counts or cycle, nothing opened
    assert {(o.month, o.scope, o.won, o.lost, o.won_amount, o.cycle_seconds) for o in e.outcomes
            if o.scope == "all"} == {("2026-04", "all", 0, 0, Decimal("150.00"), 0)}
    assert e.open == [] and e.funnel == []
