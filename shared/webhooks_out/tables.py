"""The webhook tables, part of the plumbing every service database holds (revision 0003/0004 of each service)."""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, Integer, LargeBinary, String, Table, Text, UniqueConstraint

from shared.db.plumbing import BigId, plumbing_metadata
from shared.db.types import UtcDateTime

webhook_subscriptions = Table(
    "webhook_subscriptions",
    plumbing_metadata,
    Column("id", String(36), primary_key=True),
    Column("url", Text, nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("secret", String(200), nullable=False),
    Column("description", Text, nullable=True),
    Column("enabled", Boolean, nullable=False),
    Column("disabled_reason", Text, nullable=True),
    Column("disabled_at", UtcDateTime(), nullable=True),
    # Failed attempts since the last delivered one, and when that run of failures began: auto-disable reads them.
    Column("consecutive_failures", Integer, nullable=False),
    Column("failing_since", UtcDateTime(), nullable=True),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    plumbing_metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("subscription_id", String(36), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("event_type", String(200), nullable=False),
    # A copy of the outbox row's payload: retention prunes published outbox rows, a delivery may outlive them.
    Column("payload", LargeBinary, nullable=False),
    Column("status", String(20), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False),
    # When the worker may next try; while an attempt is under way, the end of its lease.
    Column("next_attempt_at", UtcDateTime(), nullable=True),
    Column("retry_until", UtcDateTime(), nullable=False),
    Column("last_attempt_at", UtcDateTime(), nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("delivered_at", UtcDateTime(), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    # One delivery per subscription and event, whatever retries or replicas do.
    UniqueConstraint("subscription_id", "event_id", name="uq_webhook_deliveries_subscription_event"),
)
Index("ix_webhook_deliveries_due", webhook_deliveries.c.next_attempt_at,
      postgresql_where=webhook_deliveries.c.status == "pending")
Index("ix_webhook_deliveries_subscription", webhook_deliveries.c.subscription_id, webhook_deliveries.c.id)
