"""Helpers for forecast's integration tests: raw deal, quota and organisation events onto the bus."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from pydantic import BaseModel

from shared.events import catalog as ev
from shared.testing import build_event
from shared.testing.backends import Backend

PIPELINE, COMPENSATION, TERRITORY = "coxswain.pipeline", "coxswain.compensation", "coxswain.territory"
NOW = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)


def day(d: int, month: int = 10) -> datetime:
    return datetime(2026, month, d, 9, 0, tzinfo=UTC)


async def send(backend: Backend, topic: str, event_type: str, subject: str, data: BaseModel, seq: int = 1,
               at: datetime | None = None) -> bytes:
    """Build one event (sequence = the aggregate's version) and produce it; returns its bytes for resending."""
    value = build_event(event_type, data, subject=subject, sequence=seq, time=at).model_dump_json().encode()
    await backend.produce_raw(backend.topic(topic), subject, value)
    return value


def created(deal_id: str, amount: str, *, owner: str = "rep-1", stage: str = "s1", probability: int = 10,
            category: str = "pipeline", close: date = date(2026, 11, 15), at: datetime | None = None,
            territory: str | None = "t-west", company: str = "Acme") -> ev.DealCreated:
    return ev.DealCreated(deal_id=deal_id, name=f"{company} {deal_id}", company=company, amount=Decimal(amount),
                          currency="USD", owner_id=owner, territory_id=territory, pipeline_id="p1", stage_id=stage,
                          probability=probability, forecast_category=category,  # type: ignore[arg-type]
                          expected_close_date=close, created_at=at or day(1))


def moved(deal_id: str, amount: str, *, to: str, probability: int, category: str, owner: str = "rep-1",
          frm: str = "s1", close: date = date(2026, 11, 15), at: datetime | None = None) -> ev.DealStageChanged:
    return ev.DealStageChanged(deal_id=deal_id, from_stage_id=frm, to_stage_id=to, probability=probability,
                               forecast_category=category, amount=Decimal(amount),  # type: ignore[arg-type]
                               currency="USD", owner_id=owner, expected_close_date=close, changed_at=at or day(5),
                               pipeline_id="p1")


def closed(deal_id: str, amount: str, outcome: str, *, owner: str = "rep-1", at: datetime | None = None,
           created_at: datetime | None = None) -> ev.DealClosed:
    return ev.DealClosed(deal_id=deal_id, outcome=outcome, amount=Decimal(amount), currency="USD",  # type: ignore
                         owner_id=owner, territory_id="t-west", created_at=created_at or day(1),
                         closed_at=at or day(2, 11), pipeline_id="p1")


def reopened(deal_id: str, *, stage: str, probability: int, category: str, amount: str,
             owner: str = "rep-1", at: datetime | None = None) -> ev.DealReopened:
    return ev.DealReopened(deal_id=deal_id, stage_id=stage, reopened_at=at or day(3, 11), probability=probability,
                           forecast_category=category, amount=amount, currency="USD", owner_id=owner)


async def organise(backend: Backend) -> None:
    """Team west (rep-1, rep-2) under team americas (rep-3); territory t-west under t-amer."""
    for team, parent in (("americas", None), ("west", "americas")):
        await send(backend, TERRITORY, "coxswain.team.upserted.v1", team,
                   ev.TeamUpserted(team_id=team, name=team, parent_team_id=parent))
    for rep, team in (("rep-1", "west"), ("rep-2", "west"), ("rep-3", "americas")):
        await send(backend, TERRITORY, "coxswain.rep.upserted.v1", rep,
                   ev.RepUpserted(rep_id=rep, name=rep, email=f"{rep}@example.com", team_id=team, capacity=5))
    for territory, parent, reps in (("t-amer", None, ["rep-3"]), ("t-west", "t-amer", ["rep-1", "rep-2"])):
        await send(backend, TERRITORY, "coxswain.territory.upserted.v1", territory,
                   ev.TerritoryUpserted(territory_id=territory, name=territory, parent_id=parent, rep_ids=reps))


async def quota(backend: Backend, rep: str, period: str, amount: str, seq: int = 1) -> None:
    await send(backend, COMPENSATION, "coxswain.quota.set.v1", f"{rep}:{period}",
               ev.QuotaSet(rep_id=rep, period=period, amount=Decimal(amount), currency="USD"), seq)
