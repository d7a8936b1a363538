"""Loading and saving deals; the version column turns a concurrent write into a conflict."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.pipeline.db.models import deals
from services.pipeline.domain.deals import Deal, Split
from shared.errors import ConflictError, NotFoundError


def _row_to_deal(row: object) -> Deal:
    m = row._mapping  # type: ignore[attr-defined]
    return Deal(
        id=m["id"], name=m["name"], company=m["company"], amount=Decimal(m["amount"]), currency=m["currency"],
        owner_id=m["owner_id"], territory_id=m["territory_id"], pipeline_id=m["pipeline_id"],
        stage_id=m["stage_id"], probability=m["probability"], forecast_category=m["forecast_category"],
        expected_close_date=m["expected_close_date"], lead_id=m["lead_id"], created_at=m["created_at"],
        status=m["status"], closed_at=m["closed_at"], version=m["version"],
        splits=tuple(Split(s["rep_id"], Decimal(s["percent"])) for s in m["splits"] or []),
    )


def _columns(deal: Deal) -> dict[str, object]:
    return {
        "id": deal.id, "name": deal.name, "company": deal.company, "amount": deal.amount,
        "currency": deal.currency, "owner_id": deal.owner_id, "territory_id": deal.territory_id,
        "pipeline_id": deal.pipeline_id, "stage_id": deal.stage_id, "probability": deal.probability,
        "forecast_category": deal.forecast_category, "expected_close_date": deal.expected_close_date,
        "lead_id": deal.lead_id, "status": deal.status, "created_at": deal.created_at,
        "closed_at": deal.closed_at, "version": deal.version,
        "splits": [{"rep_id": s.rep_id, "percent": str(s.percent)} for s in deal.splits],
    }


async def get_deal(session: AsyncSession, deal_id: str) -> Deal:
    row = (await session.execute(select(deals).where(deals.c.id == deal_id))).first()
    if row is None:
        raise NotFoundError(f"deal {deal_id} does not exist")
    return _row_to_deal(row)


async def add_deal(session: AsyncSession, deal: Deal) -> None:
    await session.execute(insert(deals).values(_columns(deal)))


async def save_deal(session: AsyncSession, deal: Deal, *, expected_version: int) -> None:
    result = await session.execute(
        update(deals).where(deals.c.id == deal.id, deals.c.version == expected_version).values(_columns(deal))
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError(f"deal {deal.id} was changed by someone else (expected version {expected_version})")
