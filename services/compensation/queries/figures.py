"""The figures commission is measured and converted against: quotas, exchange rates, draws; closed periods."""
from __future__ import annotations

from datetime import date

from services.compensation.db import plans_repo, rates_repo, statements_repo
from services.compensation.db.plans_repo import Quota
from services.compensation.db.rates_repo import Rate
from services.compensation.db.statements_repo import ClosedPeriod, Draw
from services.compensation.queries.access import ensure_sees_rep
from shared.db.paging import Window
from shared.db.uow import UnitOfWork
from shared.errors import NotFoundError
from shared.http.auth import Principal


async def quotas(uow: UnitOfWork, who: Principal, rep_id: str, after: str | None, limit: int) -> Window[Quota]:
    async with uow:
        await ensure_sees_rep(uow.session, who, rep_id)
        return await plans_repo.quotas_of(uow.session, rep_id, after, limit)


async def rates(uow: UnitOfWork, after: tuple[str, str, date] | None, limit: int) -> Window[Rate]:
    """Every rate by base, quote and effective date; rates are only ever added or replaced in place."""
    async with uow:
        return await rates_repo.list_rates(uow.session, after, limit)


async def draw(uow: UnitOfWork, who: Principal, rep_id: str) -> Draw:
    async with uow:
        await ensure_sees_rep(uow.session, who, rep_id)
        found = await statements_repo.draw_of(uow.session, rep_id)
    if found is None:
        raise NotFoundError(f"{rep_id} has no draw")
    return found


async def closed_periods(uow: UnitOfWork, after: str | None, limit: int) -> Window[ClosedPeriod]:
    """Closed periods, oldest first."""
    async with uow:
        return await statements_repo.closed(uow.session, after, limit)
