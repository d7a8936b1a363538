"""Compensation's ledger: lines are appended, never edited."""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, UniqueConstraint

from shared.db.types import ExactDecimal, UtcDateTime

metadata = MetaData()

commission_lines = Table(
    "commission_lines",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("rep_id", String(64), nullable=False, index=True),
    Column("deal_id", String(64), nullable=False, index=True),
    Column("period", String(7), nullable=False),
    Column("component", String(100), nullable=False),
    Column("base", ExactDecimal(20, 2), nullable=False),
    Column("rate", ExactDecimal(12, 6), nullable=False),
    Column("amount", ExactDecimal(20, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("source_event_id", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("source_event_id", "rep_id", "component", name="uq_line_per_event_rep_component"),
)
