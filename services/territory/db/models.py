"""Territory's own tables (the plumbing tables sit beside them in the same database)."""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Integer, MetaData, String, Table

from shared.db.types import ExactDecimal, UtcDateTime

metadata = MetaData()

reps = Table(
    "reps", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False),
    Column("team_id", String(64), index=True),
    Column("active", Boolean, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("segments", JSON, nullable=False),
    Column("version", Integer, nullable=False),
)

teams = Table(
    "teams", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("manager_rep_id", String(64)),
    Column("parent_team_id", String(64)),
    Column("version", Integer, nullable=False),
)

territories = Table(
    "territories", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("parent_id", String(64)),
    Column("priority", Integer, nullable=False),
    Column("rules", JSON, nullable=False),
    Column("rep_ids", JSON, nullable=False),
    Column("is_default", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
)

# One counter bumped by every territory change: routing reuses its parsed index until the counter moves.
revisions = Table(
    "revisions", metadata,
    Column("name", String(40), primary_key=True),
    Column("revision", Integer, nullable=False),
)

# Weighted round robin counters per territory and rep: the rotation survives restarts and is shared by replicas.
rotations = Table(
    "rotations", metadata,
    Column("territory_id", String(64), primary_key=True),
    Column("rep_id", String(64), primary_key=True),
    Column("counter", Integer, nullable=False),
)

# What territory knows of each lead, kept from lead events: the basis of routing load and coverage.
lead_book = Table(
    "lead_book", metadata,
    Column("lead_id", String(64), primary_key=True),
    Column("profile", JSON, nullable=False),
    Column("matched_territory_id", String(64)),
    Column("territory_id", String(64), index=True),
    Column("rep_id", String(64), index=True),
    Column("status", String(40), nullable=False),
    Column("is_open", Boolean, nullable=False),
    Column("created_at", UtcDateTime()),
    Column("assigned_at", UtcDateTime()),
    Column("first_touch_at", UtcDateTime()),
    Column("status_at", UtcDateTime()),
)

deal_book = Table(
    "deal_book", metadata,
    Column("deal_id", String(64), primary_key=True),
    Column("territory_id", String(64), index=True),
    Column("owner_id", String(64), index=True),
    Column("lead_id", String(64)),
    Column("amount", ExactDecimal(20, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(10), nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
    Column("closed_at", UtcDateTime()),
    Column("splits", JSON, nullable=False, server_default="[]"),  # [[rep_id, "percent"]]; none: the owner
)

quotas = Table(
    "quotas", metadata,
    Column("rep_id", String(64), primary_key=True),
    Column("period", String(10), primary_key=True),
    Column("amount", ExactDecimal(20, 2), nullable=False),
    Column("currency", String(3), nullable=False),
)

plans = Table(
    "plans", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("status", String(12), nullable=False),
    Column("territories", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("activated_at", UtcDateTime()),
    Column("version", Integer, nullable=False),
)
