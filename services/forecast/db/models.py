"""Forecast's projections (local copies built from pipeline's events)."""
from __future__ import annotations

from sqlalchemy import Column, MetaData, String, Table

from shared.db.types import ExactDecimal, UtcDateTime

metadata = MetaData()

closed_deals = Table(
    "closed_deals",
    metadata,
    Column("deal_id", String(64), primary_key=True),
    Column("owner_id", String(64), nullable=False, index=True),
    Column("outcome", String(10), nullable=False),
    Column("amount", ExactDecimal(20, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("quarter", String(7), nullable=False, index=True),
    Column("closed_at", UtcDateTime(), nullable=False),
)
