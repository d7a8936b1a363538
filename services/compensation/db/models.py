"""Compensation's tables: plans and their versions, assignments, quotas, rates, the deal copy, the ledger."""
from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Date, Index, Integer, MetaData, String, Table

from shared.db.types import ExactDecimal, UtcDateTime

metadata = MetaData()
_ID = BigInteger().with_variant(Integer(), "sqlite")

plans = Table(
    "plans", metadata,
    Column("plan_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)
plan_versions = Table(
    "plan_versions", metadata,
    Column("plan_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("effective_from", Date, nullable=False),
    Column("terms", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)
plan_assignments = Table(
    "plan_assignments", metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("plan_id", String(64), nullable=False),
    Column("rep_id", String(64), nullable=False, index=True),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)
quotas = Table(
    "quotas", metadata,
    Column("rep_id", String(64), primary_key=True),
    Column("period", String(7), primary_key=True),
    Column("amount", ExactDecimal(20, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)
exchange_rates = Table(
    "exchange_rates", metadata,
    Column("base", String(3), primary_key=True),
    Column("quote", String(3), primary_key=True),
    Column("effective_on", Date, primary_key=True),
    Column("rate", ExactDecimal(20, 8), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)
deals = Table(
    "deals", metadata,
    Column("deal_id", String(64), primary_key=True),
    Column("status", String(8), nullable=False),
    Column("amount", ExactDecimal(20, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("owner_id", String(64), nullable=False),
    Column("splits", JSON, nullable=False),
    Column("closed_at", UtcDateTime(), nullable=True),
    Column("products", JSON, nullable=False),
    Column("new_logo", Integer, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)
credits = Table(
    "credits", metadata,
    Column("deal_id", String(64), primary_key=True),
    Column("rep_id", String(64), primary_key=True),
    Column("credit_no", Integer, nullable=False),
    Column("status", String(10), nullable=False),  # pending, paid, reversed
    Column("reason", String(300), nullable=True),
    Column("percent", ExactDecimal(16, 6), nullable=False),
    Column("base", ExactDecimal(20, 2), nullable=True),
    Column("currency", String(3), nullable=True),
    Column("quota_period", String(7), nullable=True),
    Column("plan_id", String(64), nullable=True),
    Column("plan_version", Integer, nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_credits_attainment", "rep_id", "quota_period", "status"),
    Index("ix_credits_status", "status"),
)
commission_lines = Table(
    "commission_lines", metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("rep_id", String(64), nullable=False),
    Column("deal_id", String(64), nullable=True, index=True),
    Column("period", String(7), nullable=False),  # where the line is paid (the first open period)
    Column("quota_period", String(7), nullable=True),  # whose calculation it belongs to (null: draws, adjustments)
    Column("component", String(100), nullable=False),
    Column("kind", String(12), nullable=False),
    Column("base", ExactDecimal(20, 2), nullable=False),
    Column("rate", ExactDecimal(20, 8), nullable=False),
    Column("amount", ExactDecimal(20, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("tier", String(40), nullable=True),
    Column("attainment_before", ExactDecimal(12, 4), nullable=True),
    Column("attainment_after", ExactDecimal(12, 4), nullable=True),
    Column("plan_id", String(64), nullable=True),
    Column("plan_version", Integer, nullable=True),
    Column("credit_no", Integer, nullable=True),
    Column("reason", String(300), nullable=True),
    Column("source_event_id", String(64), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_lines_rep_period", "rep_id", "period"),
    Index("ix_lines_rep_quota_period", "rep_id", "quota_period"),
)
periods = Table(
    "periods", metadata,
    Column("period", String(7), primary_key=True),
    Column("closed_at", UtcDateTime(), nullable=False),
)
draws = Table(
    "draws", metadata,
    Column("rep_id", String(64), primary_key=True),
    Column("kind", String(12), nullable=False),  # recoverable, guarantee
    Column("amount", ExactDecimal(20, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("balance", ExactDecimal(20, 2), nullable=False),  # recoverable advances not yet recovered
    Column("updated_at", UtcDateTime(), nullable=False),
)
reps = Table(
    "reps", metadata,
    Column("rep_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("team_id", String(64), nullable=True, index=True),
    Column("active", Integer, nullable=False),
)
teams = Table(
    "teams", metadata,
    Column("team_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("manager_rep_id", String(64), nullable=True),
    Column("parent_team_id", String(64), nullable=True),
)
inquiries = Table(
    "inquiries", metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("line_id", BigInteger().with_variant(Integer(), "sqlite"), nullable=False, index=True),
    Column("rep_id", String(64), nullable=False, index=True),
    Column("status", String(10), nullable=False),  # open, adjusted, rejected
    Column("adjustment_line_id", BigInteger().with_variant(Integer(), "sqlite"), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("resolved_at", UtcDateTime(), nullable=True),
)
inquiry_messages = Table(
    "inquiry_messages", metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("inquiry_id", BigInteger().with_variant(Integer(), "sqlite"), nullable=False, index=True),
    Column("author", String(200), nullable=False),
    Column("body", String(2000), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)
