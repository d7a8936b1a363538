"""/v1/deals: create, read, close."""
from __future__ import annotations

from fastapi import APIRouter, status

from services.pipeline import handlers
from services.pipeline.api.deps import Reader, Seller, Uow
from services.pipeline.api.schemas import CloseIn, DealIn, DealOut
from services.pipeline.db.repository import get_deal
from services.pipeline.domain.deals import Split
from shared.http.problems import Problem

router = APIRouter(prefix="/deals", tags=["deals"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=DealOut)
async def create_deal(body: DealIn, uow: Uow, who: Seller) -> DealOut:
    if who.roles == {"rep"} and body.owner_id != who.rep_id:
        raise Problem(403, "a rep may only create deals they own")
    cmd = handlers.CreateDeal(
        name=body.name, amount=body.amount, currency=body.currency, owner_id=body.owner_id, company=body.company,
        territory_id=body.territory_id, expected_close_date=body.expected_close_date,
        splits=tuple(Split(s.rep_id, s.percent) for s in body.splits))
    async with uow:
        return DealOut.of(await handlers.create_deal(cmd, uow))


@router.get("/{deal_id}", response_model=DealOut)
async def read_deal(deal_id: str, uow: Uow, who: Reader) -> DealOut:
    async with uow:
        deal = await get_deal(uow.session, deal_id)
    if who.roles == {"rep"} and deal.owner_id != who.rep_id:
        raise Problem(404, f"deal {deal_id} does not exist")
    return DealOut.of(deal)


@router.post("/{deal_id}/close", response_model=DealOut)
async def close_deal(deal_id: str, body: CloseIn, uow: Uow, who: Seller) -> DealOut:
    async with uow:
        if who.roles == {"rep"} and (await get_deal(uow.session, deal_id)).owner_id != who.rep_id:
            raise Problem(403, "a rep may only close their own deals")
        return DealOut.of(await handlers.close(deal_id, body.outcome, uow))
