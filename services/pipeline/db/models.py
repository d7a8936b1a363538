"""Pipeline's own tables (the plumbing tables sit beside them in the same database)."""
from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Date, Index, Integer, MetaData, String, Table

from shared.db.types import ExactDecimal, UtcDateTime

metadata = MetaData()

pipelines = Table(
    "pipelines", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
)

stages = Table(
    "stages", metadata,
    Column("pipeline_id", String(64), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("probability", Integer, nullable=False),
    Column("forecast_category", String(20), nullable=False),
    Column("kind", String(10), nullable=False),
)

deals = Table(
    "deals", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("company", String(300)),
    Column("amount", ExactDecimal(20, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("owner_id", String(64), nullable=False, index=True),
    Column("team_id", String(64), index=True),
    Column("territory_id", String(64)),
    Column("pipeline_id", String(64), nullable=False),
    Column("stage_id", String(64), nullable=False),
    Column("probability", Integer, nullable=False),
    Column("forecast_category", String(20), nullable=False),
    Column("category_override", String(20)),
    Column("expected_close_date", Date),
    Column("lead_id", String(64), unique=True),
    Column("external_id", String(128), unique=True),
    Column("splits", JSON, nullable=False, default=list),
    Column("status", String(10), nullable=False),
    Column("lost_reason", String(500)),
    Column("last_open_stage_id", String(64)),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("stage_entered_at", UtcDateTime(), nullable=False),
    Column("closed_at", UtcDateTime()),
    Column("furthest_position", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_deals_open_idle", "status", "stage_entered_at"),
    Index("ix_deals_open_due", "status", "expected_close_date"),
    Index("ix_deals_pipeline_stage", "pipeline_id", "stage_id"),
)

deal_history = Table(
    "deal_history", metadata,
    Column("deal_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("from_stage_id", String(64)),
    Column("to_stage_id", String(64)),
    Column("seconds_in_from_stage", BigInteger),
    Column("detail", String(500)),
)

reps = Table(
    "reps", metadata,
    Column("rep_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("team_id", String(64), index=True),
    Column("active", Integer, nullable=False),
)

teams = Table(
    "teams", metadata,
    Column("team_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("manager_rep_id", String(64)),
    Column("parent_team_id", String(64)),
)

crm_deliveries = Table(
    "crm_deliveries", metadata,
    Column("event_id", String(200), primary_key=True),
    Column("external_id", String(128), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
)

# Summary rows kept in the same transaction as each deal change (see domain/analytics.py).
funnel_counts = Table(
    "funnel_counts", metadata,
    Column("pipeline_id", String(64), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("scope", String(140), primary_key=True),
    Column("stage_id", String(64), primary_key=True),
    Column("reached", Integer, nullable=False),
)

stage_dwell = Table(
    "stage_dwell", metadata,
    Column("pipeline_id", String(64), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("scope", String(140), primary_key=True),
    Column("stage_id", String(64), primary_key=True),
    Column("days", Integer, primary_key=True),
    Column("deals", Integer, nullable=False),
    Column("seconds", BigInteger, nullable=False),
)

deal_outcomes = Table(
    "deal_outcomes", metadata,
    Column("pipeline_id", String(64), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("scope", String(140), primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("won", Integer, nullable=False),
    Column("lost", Integer, nullable=False),
    Column("won_amount", ExactDecimal(20, 2), nullable=False),
    Column("cycle_seconds", BigInteger, nullable=False),
)

open_deals = Table(
    "open_deals", metadata,
    Column("pipeline_id", String(64), primary_key=True),
    Column("scope", String(140), primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("deals", Integer, nullable=False),
    Column("amount", ExactDecimal(20, 2), nullable=False),
)
