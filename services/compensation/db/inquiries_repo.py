"""Inquiries on ledger lines and their threads."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.compensation.db.models import commission_lines, inquiries, inquiry_messages


async def line(session: AsyncSession, line_id: int) -> dict[str, Any] | None:
    row = (await session.execute(select(commission_lines).where(commission_lines.c.id == line_id))).first()
    return dict(row._mapping) if row else None


async def open_on_line(session: AsyncSession, line_id: int) -> int | None:
    stmt = select(inquiries.c.id).where(inquiries.c.line_id == line_id, inquiries.c.status == "open")
    return (await session.execute(stmt)).scalar_one_or_none()


async def create(session: AsyncSession, line_id: int, rep_id: str, at: datetime) -> int:
    stmt = inquiries.insert().values(line_id=line_id, rep_id=rep_id, status="open", created_at=at)
    return int((await session.execute(stmt.returning(inquiries.c.id))).scalar_one())


async def add_message(session: AsyncSession, inquiry_id: int, author: str, body: str, at: datetime) -> None:
    await session.execute(inquiry_messages.insert().values(inquiry_id=inquiry_id, author=author, body=body,
                                                           created_at=at))


async def get(session: AsyncSession, inquiry_id: int) -> dict[str, Any] | None:
    row = (await session.execute(select(inquiries).where(inquiries.c.id == inquiry_id))).first()
    if row is None:
        return None
    stmt = select(inquiry_messages).where(inquiry_messages.c.inquiry_id == inquiry_id).order_by(inquiry_messages.c.id)
    messages = [dict(m._mapping) for m in await session.execute(stmt)]
    return {**row._mapping, "messages": messages}


async def ids(session: AsyncSession, rep_ids: list[str] | None, status: str | None,
              line_id: int | None, after: int | None = None, limit: int | None = None) -> list[int]:
    stmt = select(inquiries.c.id).order_by(inquiries.c.id).limit(limit)
    if after is not None:
        stmt = stmt.where(inquiries.c.id > after)
    if rep_ids is not None:
        stmt = stmt.where(inquiries.c.rep_id.in_(rep_ids))
    if status is not None:
        stmt = stmt.where(inquiries.c.status == status)
    if line_id is not None:
        stmt = stmt.where(inquiries.c.line_id == line_id)
    return list((await session.execute(stmt)).scalars())


async def close(session: AsyncSession, inquiry_id: int, status: str, adjustment_line_id: int | None,
                at: datetime) -> None:
    await session.execute(update(inquiries).where(inquiries.c.id == inquiry_id).values(
        status=status, adjustment_line_id=adjustment_line_id, resolved_at=at))

