"""Tables every service database holds beside its own: outbox, inbox, sequences, idempotency keys.

Each service's first migration creates them (shared.db.plumbing_migration) in its own database.
"""
from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

from shared.db.types import UtcDateTime

plumbing_metadata = MetaData()

# BigInteger ids autoincrement on PostgreSQL; SQLite only does so for INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")

outbox = Table(
    "outbox",
    plumbing_metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("topic", String(200), nullable=False),
    Column("key", String(200), nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("published_at", UtcDateTime(), nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    # W3C trace context of the request or event that wrote the row (null when nothing was traced);
    # the relay sends it as the record's `traceparent` header. Added by revision 0002 of each service.
    Column("traceparent", String(55), nullable=True),
)
# The relay only ever looks for what is not yet published, in order.
Index("ix_outbox_unpublished", outbox.c.id, postgresql_where=outbox.c.published_at.is_(None))

subject_sequences = Table(
    "subject_sequences",
    plumbing_metadata,
    Column("subject", String(200), primary_key=True),
    Column("sequence", BigInteger, nullable=False),
)

processed_events = Table(
    "processed_events",
    plumbing_metadata,
    Column("consumer", String(200), primary_key=True),
    Column("event_id", String(200), primary_key=True),
    Column("processed_at", UtcDateTime(), nullable=False),
)

# The last sequence applied per stream (producer + kind of aggregate, e.g. "/coxswain/territory#team") and subject.
consumer_sequences = Table(
    "consumer_sequences",
    plumbing_metadata,
    Column("consumer", String(200), primary_key=True),
    Column("source", String(100), primary_key=True),
    Column("subject", String(200), primary_key=True),
    Column("sequence", BigInteger, nullable=False),
)

idempotency_keys = Table(
    "idempotency_keys",
    plumbing_metadata,
    Column("key", String(200), primary_key=True),
    Column("principal", String(200), primary_key=True),
    Column("method", String(10), nullable=False),
    Column("path", Text, nullable=False),
    Column("body_sha256", String(64), nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("response_body", LargeBinary, nullable=True),
    Column("response_headers", JSON, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)
