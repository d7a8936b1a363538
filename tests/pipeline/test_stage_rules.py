"""Stage rules, pipeline validation, splits, versions and the forecast-category override (pure domain)."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.pipeline.domain import deals as rules
from services.pipeline.domain.deals import Deal, Split
from services.pipeline.domain.pipelines import Stage, build_pipeline, check_stage_removal, default_pipeline
from shared.errors import ConflictError, InvalidInput

pytestmark = pytest.mark.unit
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PIPE = default_pipeline(T0)


def new_deal(**overrides: object) -> Deal:
    draft = Deal(id="d1", name="Acme", company="Acme", amount=Decimal("1000.00"), currency="USD", owner_id="ana",
                 territory_id=None, pipeline_id="", stage_id="", probability=0, forecast_category="pipeline",
                 expected_close_date=None, lead_id=None, created_at=T0)
    return rules.open_deal(replace(draft, **overrides), PIPE, None)


def test_a_pipeline_gets_closed_won_at_100_and_closed_lost_at_0_after_its_open_stages() -> None:
    p = build_pipeline("p", "New business", [Stage("a", "A", 20, "pipeline"), Stage("b", "B", 60, "commit")], T0)
    assert [(s.id, s.position, s.probability, s.forecast_category, s.kind) for s in p.stages] == [
        ("a", 1, 20, "pipeline", "open"), ("b", 2, 60, "commit", "open"),
        ("closed_won", 3, 100, "closed", "won"), ("closed_lost", 4, 0, "omitted", "lost")]


@pytest.mark.parametrize(("stages", "field"), [
    ([], "stages"),
    ([Stage("a", "A", 20, "pipeline"), Stage("w", "Won", 90, "closed", "won")], "stages"),
    ([Stage("a", "A", 20, "pipeline"), Stage("l", "Lost", 5, "omitted", "lost")], "stages"),
    ([Stage("a", "A", 20, "pipeline"), Stage("a", "Again", 30, "pipeline")], "stages.1.id"),
    ([Stage("a", "A", 120, "pipeline")], "stages.0.probability"),
    ([Stage("a", "A", 20, "maybe")], "stages.0.forecast_category"),
])
def test_an_invalid_pipeline_names_the_field(stages: list[Stage], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        build_pipeline("p", "P", stages, T0)
    assert caught.value.errors[0].field == field


def test_a_stage_holding_deals_cannot_be_removed() -> None:
    smaller = build_pipeline("default", "Default", [Stage("qualification", "Q", 10, "pipeline")], T0)
    check_stage_removal(PIPE, smaller, {"qualification"})
    with pytest.raises(ConflictError):
        check_stage_removal(PIPE, smaller, {"proposal"})


def test_a_new_deal_starts_in_the_first_open_stage_with_its_probability_and_category() -> None:
    deal = new_deal()
    assert (deal.stage_id, deal.probability, deal.forecast_category, deal.version) == (
        "qualification", 10, "pipeline", 1)


def test_moving_forward_and_back_changes_probability_and_bumps_the_version() -> None:
    ahead = rules.move_stage(new_deal(), PIPE, "negotiation", T0 + timedelta(days=1))
    back = rules.move_stage(ahead, PIPE, "discovery", T0 + timedelta(days=2))
    assert (ahead.probability, ahead.forecast_category, ahead.version) == (75, "commit", 2)
    assert (back.stage_id, back.probability, back.forecast_category, back.version) == ("discovery", 25, "pipeline", 3)
    assert back.stage_entered_at == T0 + timedelta(days=2)


def test_closing_only_through_close_and_not_into_the_same_stage() -> None:
    with pytest.raises(InvalidInput):
        rules.move_stage(new_deal(), PIPE, "closed_won", T0)
    with pytest.raises(ConflictError):
        rules.move_stage(new_deal(), PIPE, "qualification", T0)
    with pytest.raises(InvalidInput):
        rules.move_stage(new_deal(), PIPE, "nowhere", T0)


def test_a_category_override_survives_later_stage_moves_until_cleared() -> None:
    overridden, changed = rules.update_deal(new_deal(), PIPE, {"forecast_category": "commit"})
    assert changed == {"forecast_category": "commit"}
    moved = rules.move_stage(overridden, PIPE, "proposal", T0)  # proposal's own category is best_case
    assert (moved.forecast_category, moved.category_override) == ("commit", "commit")
    cleared, _ = rules.update_deal(moved, PIPE, {"forecast_category": None})
    assert (cleared.forecast_category, cleared.category_override) == ("best_case", None)


def test_close_won_lost_and_reopen() -> None:
    in_proposal = rules.move_stage(new_deal(), PIPE, "proposal", T0)
    with pytest.raises(InvalidInput):
        rules.close_deal(in_proposal, PIPE, "lost", T0)  # a lost deal needs a reason
    lost = rules.close_deal(in_proposal, PIPE, "lost", T0, "price")
    assert (lost.status, lost.stage_id, lost.probability, lost.forecast_category, lost.lost_reason) == (
        "lost", "closed_lost", 0, "omitted", "price")
    with pytest.raises(ConflictError):
        rules.close_deal(lost, PIPE, "won", T0)
    reopened = rules.reopen_deal(lost, PIPE, T0)
    assert (reopened.status, reopened.stage_id, reopened.probability, reopened.closed_at, reopened.version) == (
        "open", "proposal", 50, None, 4)
    won = rules.close_deal(reopened, PIPE, "won", T0)
    assert (won.stage_id, won.probability, won.forecast_category) == ("closed_won", 100, "closed")
    with pytest.raises(ConflictError):
        rules.reopen_deal(reopened, PIPE, T0)


@pytest.mark.parametrize(("splits", "field"), [
    ((Split("a", Decimal("60")), Split("b", Decimal("39.99"))), "splits"),  # 99.99, not 100
    ((Split("a", Decimal("50")), Split("a", Decimal("50"))), "splits"),
    ((Split("a", Decimal("110")), Split("b", Decimal("-10"))), "splits.0.percent"),
])
def test_splits_must_be_one_per_rep_and_sum_to_100(splits: tuple[Split, ...], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        rules.validate_splits(splits)
    assert caught.value.errors[0].field == field


def test_valid_splits_and_the_owner_taking_all_when_none_are_given() -> None:
    rules.validate_splits((Split("a", Decimal("33.34")), Split("b", Decimal("33.33")), Split("c", Decimal("33.33"))))
    assert new_deal().effective_splits() == (Split("ana", Decimal(100)),)


def test_an_update_that_changes_nothing_keeps_the_version_and_a_stale_version_is_refused() -> None:
    deal = new_deal()
    same, changed = rules.update_deal(deal, PIPE, {"amount": Decimal("1000.00"), "name": "Acme"})
    assert (same.version, changed) == (1, {})
    bigger, changed = rules.update_deal(deal, PIPE, {"amount": Decimal("1200.00")})
    assert (bigger.version, changed) == (2, {"amount": Decimal("1200.00")})
    rules.check_version(bigger, 2)
    with pytest.raises(rules.StaleVersion):
        rules.check_version(bigger, 1)
