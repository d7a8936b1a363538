"""Inquiries the caller may see, with their threads."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.compensation.db import inquiries_repo as repo
from services.compensation.db.inquiries_repo import Inquiry
from services.compensation.queries.access import ensure_sees_rep, visible_reps
from shared.db.paging import Window
from shared.db.uow import UnitOfWork
from shared.errors import NotFoundError
from shared.http.auth import Principal


async def visible_inquiry(session: AsyncSession, who: Principal, inquiry_id: int) -> Inquiry:
    """The inquiry with its thread: a 404 when there is none, a 403 when it is on a rep the caller may not see."""
    found = await repo.get(session, inquiry_id)
    if found is None:
        raise NotFoundError(f"no inquiry {inquiry_id}")
    await ensure_sees_rep(session, who, found.rep_id)
    return found


async def inquiries(uow: UnitOfWork, who: Principal, state: str | None, line_id: int | None, after: int | None,
                    limit: int) -> Window[Inquiry]:
    """A page of the inquiries on the reps the caller sees (of one state, on one line), oldest first."""
    async with uow:
        found = await repo.ids(uow.session, await visible_reps(uow.session, who), state, line_id, after, limit)
        return Window([await visible_inquiry(uow.session, who, i) for i in found.rows], found.next_after)
