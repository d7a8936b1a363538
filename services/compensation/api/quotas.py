"""/v1/quotas, /v1/exchange-rates and /v1/draws: the figures commission is measured and converted against."""
from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from services.compensation.api.access import ensure_sees_rep
from services.compensation.api.deps import Ops, Reader, RepId, Uow
from services.compensation.api.paging import page_of
from services.compensation.api.schemas import DrawIn, DrawOut, QuotaIn, QuotaOut, RateIn, RateOut
from services.compensation.commands import periods as period_commands
from services.compensation.commands import plans as plan_commands
from services.compensation.db import ledger_repo, plans_repo, statements_repo
from shared.errors import InvalidInput, NotFoundError
from shared.events.types import Currency
from shared.http.pagination import Cursor, Limit, Page, encode_cursor, offset_of

router = APIRouter(tags=["quotas and rates"])


@router.put("/quotas/{rep_id}/{period}", response_model=QuotaOut)
async def set_quota(rep_id: RepId, period: str, body: QuotaIn, uow: Uow, who: Ops) -> QuotaOut:
    async with uow:
        await plan_commands.set_quota(plan_commands.SetQuota(rep_id, period, body.amount, body.currency), uow)
    return QuotaOut(rep_id=rep_id, period=period, amount=body.amount, currency=body.currency)


@router.get("/quotas/{rep_id}", response_model=Page[QuotaOut])
async def list_quotas(rep_id: str, uow: Uow, who: Reader, limit: Limit = 50,
                      cursor: Cursor = None) -> Page[QuotaOut]:
    async with uow:
        await ensure_sees_rep(uow.session, who, rep_id)
        quotas = [QuotaOut(**q) for q in await plans_repo.quotas_of(uow.session, rep_id)]
    return page_of(quotas, limit, cursor)


@router.put("/exchange-rates/{base}/{quote}/{effective_on}", response_model=RateOut)
async def set_rate(base: Currency, quote: Currency, effective_on: date, body: RateIn, uow: Uow,
                   who: Ops) -> RateOut:
    if base == quote:
        raise InvalidInput("quote", "a rate converts between two different currencies")
    async with uow:
        await period_commands.set_rate(period_commands.SetRate(base, quote, effective_on, body.rate), uow)
    return RateOut(base=base, quote=quote, effective_on=effective_on, rate=body.rate)


@router.get("/exchange-rates", response_model=Page[RateOut])
async def list_rates(uow: Uow, who: Reader, limit: Limit = 50, cursor: Cursor = None) -> Page[RateOut]:
    """Every rate by base, quote and effective date; rates are only ever added or replaced in place."""
    offset = offset_of(cursor)
    async with uow:
        found = await ledger_repo.list_rates(uow.session, offset, limit + 1)
    more = len(found) > limit
    return Page[RateOut](items=[RateOut(**r) for r in found[:limit]],
                         next_cursor=encode_cursor({"offset": offset + limit}) if more else None)


@router.put("/draws/{rep_id}", response_model=DrawOut)
async def set_draw(rep_id: RepId, body: DrawIn, uow: Uow, who: Ops) -> DrawOut:
    async with uow:
        balance = await period_commands.set_draw(
            period_commands.SetDraw(rep_id, body.kind, body.amount, body.currency), uow)
    return DrawOut(rep_id=rep_id, balance=balance, **body.model_dump())


@router.get("/draws/{rep_id}", response_model=DrawOut)
async def get_draw(rep_id: str, uow: Uow, who: Reader) -> DrawOut:
    async with uow:
        await ensure_sees_rep(uow.session, who, rep_id)
        draw = await statements_repo.draw_of(uow.session, rep_id)
    if draw is None:
        raise NotFoundError(f"{rep_id} has no draw")
    return DrawOut(**draw)
