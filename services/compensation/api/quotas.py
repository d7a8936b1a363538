"""/v1/quotas, /v1/exchange-rates and /v1/draws: the figures commission is measured and converted against."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date

from fastapi import APIRouter

from services.compensation.api.cursors import AfterRate
from services.compensation.api.deps import RepId
from services.compensation.api.schemas import DrawIn, DrawOut, QuotaIn, QuotaOut, RateIn, RateOut
from services.compensation.commands import periods as period_commands
from services.compensation.commands import plans as plan_commands
from services.compensation.queries import figures
from shared.events.types import Currency
from shared.http.deps import Operator, Reader, Uow
from shared.http.pagination import Cursor, Limit, Page, after_id, decode_cursor, encode_cursor

router = APIRouter(tags=["quotas and rates"])


@router.put("/quotas/{rep_id}/{period}", response_model=QuotaOut)
async def set_quota(rep_id: RepId, period: str, body: QuotaIn, uow: Uow, who: Operator) -> QuotaOut:
    await plan_commands.set_quota(uow, plan_commands.SetQuota(rep_id, period, body.amount, body.currency))
    return QuotaOut(rep_id=rep_id, period=period, amount=body.amount, currency=body.currency)


@router.get("/quotas/{rep_id}", response_model=Page[QuotaOut])
async def list_quotas(rep_id: str, uow: Uow, who: Reader, limit: Limit = 50,
                      cursor: Cursor = None) -> Page[QuotaOut]:
    found = await figures.quotas(uow, who, rep_id, after_id(cursor), limit)
    return Page[QuotaOut](items=[QuotaOut(**asdict(q)) for q in found.rows],
                          next_cursor=encode_cursor({"after": found.next_after[0]}) if found.next_after else None)


@router.put("/exchange-rates/{base}/{quote}/{effective_on}", response_model=RateOut)
async def set_rate(base: Currency, quote: Currency, effective_on: date, body: RateIn, uow: Uow,
                   who: Operator) -> RateOut:
    await period_commands.set_rate(uow, period_commands.SetRate(base, quote, effective_on, body.rate))
    return RateOut(base=base, quote=quote, effective_on=effective_on, rate=body.rate)


@router.get("/exchange-rates", response_model=Page[RateOut])
async def list_rates(uow: Uow, who: Reader, limit: Limit = 50, cursor: Cursor = None) -> Page[RateOut]:
    """Every rate by base, quote and effective date; rates are only ever added or replaced in place."""
    position = decode_cursor(cursor, AfterRate)
    found = await figures.rates(uow, position.key() if position else None, limit)
    following = found.next_after
    return Page[RateOut](items=[RateOut(**asdict(r)) for r in found.rows], next_cursor=encode_cursor(AfterRate(
        base=following[0], quote=following[1], effective_on=following[2].isoformat())) if following else None)


@router.put("/draws/{rep_id}", response_model=DrawOut)
async def set_draw(rep_id: RepId, body: DrawIn, uow: Uow, who: Operator) -> DrawOut:
    balance = await period_commands.set_draw(
        uow, period_commands.SetDraw(rep_id, body.kind, body.amount, body.currency))
    return DrawOut(rep_id=rep_id, balance=balance, **body.model_dump())


@router.get("/draws/{rep_id}", response_model=DrawOut)
async def get_draw(rep_id: str, uow: Uow, who: Reader) -> DrawOut:
    return DrawOut(**asdict(await figures.draw(uow, who, rep_id)))
