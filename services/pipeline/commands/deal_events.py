"""The catalog payloads a deal change announces (CONTRACT.md and the fields shared/events/catalog.py adds)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, cast

from services.pipeline.domain.deals import Deal
from shared.events import catalog as ev


def _category(deal: Deal) -> ev.ForecastCategory:
    """The domain keeps the category as text it validated against the same list (domain/pipelines.CATEGORIES)."""
    return cast(ev.ForecastCategory, deal.forecast_category)


def _outcome(deal: Deal) -> Literal["won", "lost"]:
    return cast(Literal["won", "lost"], deal.status)  # only a closed deal is announced as closed


def _splits(deal: Deal) -> list[ev.Split]:
    return [ev.Split(rep_id=s.rep_id, percent=s.percent) for s in deal.effective_splits()]


def created(deal: Deal) -> ev.DealCreated:
    return ev.DealCreated(
        deal_id=deal.id, name=deal.name, company=deal.company, amount=deal.amount, currency=deal.currency,
        owner_id=deal.owner_id, territory_id=deal.territory_id, pipeline_id=deal.pipeline_id,
        stage_id=deal.stage_id, probability=deal.probability, forecast_category=_category(deal),
        expected_close_date=deal.expected_close_date, lead_id=deal.lead_id, created_at=deal.created_at,
        splits=_splits(deal), team_id=deal.team_id, external_id=deal.external_id)


def stage_changed(before: Deal, after: Deal, at: datetime) -> ev.DealStageChanged:
    return ev.DealStageChanged(
        deal_id=after.id, from_stage_id=before.stage_id, to_stage_id=after.stage_id, probability=after.probability,
        forecast_category=_category(after), amount=after.amount, currency=after.currency,
        owner_id=after.owner_id, expected_close_date=after.expected_close_date, changed_at=at,
        pipeline_id=after.pipeline_id, territory_id=after.territory_id)


def updated(deal: Deal, changed: dict[str, Any], at: datetime) -> ev.DealUpdated:
    fields = dict(changed)
    if "splits" in fields:
        fields["splits"] = _splits(deal)
    if "amount" in fields or "currency" in fields:  # an amount means nothing without its currency
        fields.update(amount=deal.amount, currency=deal.currency)
    return ev.DealUpdated(deal_id=deal.id, updated_at=at, **fields)


def closed(deal: Deal) -> ev.DealClosed:
    assert deal.closed_at is not None
    return ev.DealClosed(
        deal_id=deal.id, outcome=_outcome(deal), amount=deal.amount, currency=deal.currency,
        owner_id=deal.owner_id, splits=_splits(deal), territory_id=deal.territory_id, created_at=deal.created_at,
        closed_at=deal.closed_at,
        lost_reason=deal.lost_reason, pipeline_id=deal.pipeline_id, stage_id=deal.stage_id)


def closed_v2(v1: ev.DealClosed) -> ev.DealClosedV2:
    return ev.DealClosedV2.of(v1)


def reopened(deal: Deal, at: datetime) -> ev.DealReopened:
    return ev.DealReopened(
        deal_id=deal.id, stage_id=deal.stage_id, reopened_at=at,
        probability=deal.probability, forecast_category=_category(deal),
        amount=deal.amount, currency=deal.currency, owner_id=deal.owner_id)
