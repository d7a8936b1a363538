"""SQL for the webhook API: subscriptions and their delivery log."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFoundError
from shared.webhooks_out.tables import webhook_deliveries as d
from shared.webhooks_out.tables import webhook_subscriptions as s

# A row of any columns (SQLAlchemy 2.1 types a row by its columns).
AnyRow = Row[*tuple[Any, ...]]


async def add_subscription(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(s.insert().values(**values))


async def get_subscription(session: AsyncSession, subscription_id: str) -> AnyRow:
    row = (await session.execute(select(s).where(s.c.id == subscription_id))).first()
    if row is None:
        raise NotFoundError(f"no webhook subscription {subscription_id}")
    return row


async def list_subscriptions(session: AsyncSession, *, after: str | None,
                             limit: int) -> list[AnyRow]:
    stmt = select(s).order_by(s.c.id).limit(limit)
    if after is not None:
        stmt = stmt.where(s.c.id > after)
    return list((await session.execute(stmt)).all())


async def change_subscription(session: AsyncSession, subscription_id: str, values: dict[str, Any]) -> None:
    await session.execute(update(s).where(s.c.id == subscription_id).values(**values))


async def remove_subscription(session: AsyncSession, subscription_id: str) -> None:
    await get_subscription(session, subscription_id)
    await session.execute(delete(d).where(d.c.subscription_id == subscription_id))
    await session.execute(delete(s).where(s.c.id == subscription_id))


async def list_deliveries(session: AsyncSession, subscription_id: str, *, before: int | None, status: str | None,
                          limit: int) -> list[AnyRow]:
    """Newest first."""
    stmt = (select(d).where(d.c.subscription_id == subscription_id).order_by(d.c.id.desc()).limit(limit))
    if before is not None:
        stmt = stmt.where(d.c.id < before)
    if status is not None:
        stmt = stmt.where(d.c.status == status)
    return list((await session.execute(stmt)).all())


async def get_delivery(session: AsyncSession, subscription_id: str,
                       delivery_id: int) -> AnyRow:
    row = (await session.execute(
        select(d).where(d.c.id == delivery_id, d.c.subscription_id == subscription_id))).first()
    if row is None:
        raise NotFoundError(f"no delivery {delivery_id} of webhook subscription {subscription_id}")
    return row


async def schedule_again(session: AsyncSession, delivery_id: int, *, now: datetime, retry_until: datetime) -> None:
    """A manual redelivery: due now, retried like a new one if it fails again."""
    await session.execute(update(d).where(d.c.id == delivery_id).values(
        status="pending", next_attempt_at=now, retry_until=retry_until))
