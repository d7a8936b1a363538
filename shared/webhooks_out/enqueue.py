"""One delivery row per matching subscription, written in the transaction that writes the event's outbox row:
the event and its deliveries are committed together or not at all, and never twice (one row per subscription
and event, a unique key)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.webhooks_out.policy import WebhookPolicy
from shared.webhooks_out.tables import webhook_deliveries, webhook_subscriptions


async def enqueue_deliveries(session: AsyncSession, outbox_rows: Sequence[dict[str, Any]], *, now: datetime,
                             policy: WebhookPolicy) -> int:
    """Deliveries for these outbox rows to every enabled subscription to their type; returns how many."""
    subscriptions = (await session.execute(
        select(webhook_subscriptions.c.id, webhook_subscriptions.c.event_types)
        .where(webhook_subscriptions.c.enabled.is_(True)))).all()
    if not subscriptions:
        return 0
    deliveries = [
        {"subscription_id": sub.id, "event_id": row["event_id"], "event_type": row["event_type"],
         "payload": row["payload"], "status": "pending", "attempts": 0, "next_attempt_at": now,
         "retry_until": now + policy.retry_window, "created_at": now}
        for row in outbox_rows for sub in subscriptions if row["event_type"] in sub.event_types
    ]
    if deliveries:
        await session.execute(webhook_deliveries.insert(), deliveries)
    return len(deliveries)
