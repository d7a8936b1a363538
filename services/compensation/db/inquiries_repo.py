"""Inquiries on ledger lines and their threads."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.compensation.db.models import commission_lines, inquiries, inquiry_messages
from services.compensation.db.statements_repo import LineRow, line_row
from shared.db.paging import Window, keyset_window


@dataclass(frozen=True)
class Message:
    author: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class Inquiry:
    id: int
    line_id: int
    rep_id: str
    status: str
    adjustment_line_id: int | None
    created_at: datetime
    resolved_at: datetime | None
    messages: list[Message]


async def line(session: AsyncSession, line_id: int) -> LineRow | None:
    row = (await session.execute(select(commission_lines).where(commission_lines.c.id == line_id))).first()
    return line_row(row) if row else None


async def open_on_line(session: AsyncSession, line_id: int) -> int | None:
    stmt = select(inquiries.c.id).where(inquiries.c.line_id == line_id, inquiries.c.status == "open")
    return (await session.execute(stmt)).scalar_one_or_none()


async def create(session: AsyncSession, line_id: int, rep_id: str, at: datetime) -> int:
    stmt = inquiries.insert().values(line_id=line_id, rep_id=rep_id, status="open", created_at=at)
    return int((await session.execute(stmt.returning(inquiries.c.id))).scalar_one())


async def add_message(session: AsyncSession, inquiry_id: int, author: str, body: str, at: datetime) -> None:
    await session.execute(inquiry_messages.insert().values(inquiry_id=inquiry_id, author=author, body=body,
                                                           created_at=at))


async def get(session: AsyncSession, inquiry_id: int) -> Inquiry | None:
    row = (await session.execute(select(inquiries).where(inquiries.c.id == inquiry_id))).first()
    if row is None:
        return None
    m = inquiry_messages.c
    stmt = select(m.author, m.body, m.created_at).where(m.inquiry_id == inquiry_id).order_by(m.id)
    messages = [Message(r.author, r.body, r.created_at) for r in await session.execute(stmt)]
    return Inquiry(row.id, row.line_id, row.rep_id, row.status, row.adjustment_line_id, row.created_at,
                   row.resolved_at, messages)


async def ids(session: AsyncSession, rep_ids: list[str] | None, status: str | None,
              line_id: int | None, after: int | None, limit: int) -> Window[int]:
    """A page of inquiry ids, oldest first; rep_ids None: everyone's."""
    stmt = select(inquiries.c.id)
    if rep_ids is not None:
        stmt = stmt.where(inquiries.c.rep_id.in_(rep_ids))
    if status is not None:
        stmt = stmt.where(inquiries.c.status == status)
    if line_id is not None:
        stmt = stmt.where(inquiries.c.line_id == line_id)
    found = await keyset_window(session, stmt, [inquiries.c.id], None if after is None else (after,), limit)
    return Window([int(r.id) for r in found.rows], found.next_after)


async def close(session: AsyncSession, inquiry_id: int, status: str, adjustment_line_id: int | None,
                at: datetime) -> None:
    await session.execute(update(inquiries).where(inquiries.c.id == inquiry_id).values(
        status=status, adjustment_line_id=adjustment_line_id, resolved_at=at))
