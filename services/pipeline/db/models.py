"""Pipeline's own tables (the plumbing tables sit beside them in the same database)."""
from __future__ import annotations

from sqlalchemy import JSON, Column, Date, Integer, MetaData, String, Table

from shared.db.types import ExactDecimal, UtcDateTime

metadata = MetaData()

deals = Table(
    "deals",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("company", String(300)),
    Column("amount", ExactDecimal(20, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("owner_id", String(64), nullable=False, index=True),
    Column("territory_id", String(64)),
    Column("pipeline_id", String(64), nullable=False),
    Column("stage_id", String(64), nullable=False),
    Column("probability", Integer, nullable=False),
    Column("forecast_category", String(20), nullable=False),
    Column("expected_close_date", Date),
    Column("lead_id", String(64)),
    Column("splits", JSON, nullable=False, default=list),
    Column("status", String(10), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("closed_at", UtcDateTime()),
    Column("version", Integer, nullable=False),
)
