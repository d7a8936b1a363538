"""Forecast's tables: the deal projection, its aggregate rows, win records, org copies, quotas, history,
adjustments and snapshots (kept in step with migrations/versions/: what the migrations make is what
production has; unbounded text is `String()`, a VARCHAR without length, as 0001 created it)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, Index, Integer, MetaData, String, Table

from shared.db.types import ExactDecimal, UtcDateTime

metadata = MetaData()
ID = 64

forecast_deals = Table(
    "forecast_deals", metadata,
    Column("deal_id", String(ID), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("owner_id", String(ID), nullable=False, index=True),
    Column("amount", ExactDecimal(20, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("pipeline_id", String(ID), nullable=False),
    Column("stage_id", String(ID), nullable=False),
    Column("probability", Integer, nullable=False),
    Column("category", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("company", String(200)),
    Column("territory_id", String(ID)),
    Column("expected_close_date", Date()),
    Column("status", String(8), nullable=False),
    Column("closed_at", UtcDateTime()),
    Column("splits", JSON, nullable=False, server_default="[]"),  # [[rep_id, "percent"]]; none: the owner
)

deal_stage_visits = Table(
    "deal_stage_visits", metadata,
    Column("deal_id", String(ID), primary_key=True),
    Column("pipeline_id", String(ID), primary_key=True),
    Column("stage_id", String(ID), primary_key=True),
)

stage_records = Table(
    "stage_records", metadata,
    Column("pipeline_id", String(ID), primary_key=True),
    Column("stage_id", String(ID), primary_key=True),
    Column("probability", Integer, nullable=False),
    Column("wins", Integer, nullable=False),
    Column("losses", Integer, nullable=False),
)

cycle_stats = Table(
    "cycle_stats", metadata,
    Column("scope", String(ID), primary_key=True),
    Column("won_deals", Integer, nullable=False),
    Column("cycle_days", Integer, nullable=False),
)


def _grouped(name: str, *detail: Column[Any], measures: tuple[Column[Any], ...]) -> Table:
    """An aggregate row table, keyed by month × dimension × group × currency × detail. Its read index holds the
    measures too (PostgreSQL INCLUDE): a forecast reads a period's rows of a dimension from the index alone
    (an index-only scan), never from heap pages scattered over the table, so the read stays as cheap with a
    million deals as with ten thousand (docs/benchmarks.md, forecast issue 14)."""
    keys = [Column("period", String(7), primary_key=True), Column("dimension", String(10), primary_key=True),
            Column("group_id", String(200), primary_key=True), Column("currency", String(3), primary_key=True)]
    key_names = [c.name for c in (*keys, *detail)]
    read = Index(f"ix_{name}_read", *key_names, postgresql_include=[m.name for m in measures])
    return Table(name, metadata, *keys, *detail, *measures, read)


totals_rows = _grouped(
    "totals_rows", Column("bucket", String(16), primary_key=True),
    measures=(Column("amount", ExactDecimal(20, 2), nullable=False),
              Column("weighted", ExactDecimal(22, 4), nullable=False),
              Column("deals", Integer, nullable=False)))
stage_rows = _grouped(
    "stage_rows", Column("pipeline_id", String(ID), primary_key=True), Column("stage_id", String(ID), primary_key=True),
    measures=(Column("amount", ExactDecimal(20, 2), nullable=False), Column("deals", Integer, nullable=False)))
age_rows = _grouped(
    "age_rows", Column("week", String(10), primary_key=True),
    measures=(Column("amount", ExactDecimal(20, 2), nullable=False),
              Column("amount_days", ExactDecimal(26, 2), nullable=False)))

quotas = Table(
    "quotas", metadata,
    Column("rep_id", String(ID), primary_key=True),
    Column("period", String(7), primary_key=True),
    Column("amount", ExactDecimal(20, 2), nullable=False),
    Column("currency", String(3), nullable=False),
)

reps = Table(
    "reps", metadata,
    Column("rep_id", String(ID), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("team_id", String(ID)),
    Column("active", Boolean, nullable=False),
)

teams = Table(
    "teams", metadata,
    Column("team_id", String(ID), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("manager_rep_id", String(ID)),
    Column("parent_team_id", String(ID)),
)

territories = Table(
    "territories", metadata,
    Column("territory_id", String(ID), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("parent_id", String(ID)),
    Column("rep_ids", String(), nullable=False),  # JSON list
    Column("deleted", Boolean, nullable=False),
)

event_history = Table(
    "event_history", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("occurred_at", UtcDateTime(), nullable=False, index=True),
    Column("event_type", String(100), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("payload", String(), nullable=False),
)

adjustments = Table(
    "adjustments", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),  # the order they were made in
    Column("adjustment_id", String(36), nullable=False, unique=True),
    Column("period", String(7), nullable=False, index=True),
    Column("group_by", String(10), nullable=False),
    Column("group_id", String(200), nullable=False),
    Column("method", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount", ExactDecimal(20, 2), nullable=False),
    Column("note", String(), nullable=False),
    Column("adjusted_by", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

snapshots = Table(
    "snapshots", metadata,
    Column("snapshot_id", String(36), primary_key=True),
    Column("period", String(7), nullable=False, index=True),
    Column("method", String(16), nullable=False),
    Column("taken_at", UtcDateTime(), nullable=False),
    Column("trigger", String(10), nullable=False),  # demand | schedule
    Column("totals", String(), nullable=False),  # JSON {currency: forecast}
)

snapshot_lines = Table(
    "snapshot_lines", metadata,
    Column("snapshot_id", String(36), primary_key=True),
    Column("dimension", String(10), primary_key=True),
    Column("group_id", String(200), primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("forecast", ExactDecimal(20, 2), nullable=False),
    Column("closed_won", ExactDecimal(20, 2), nullable=False),
)

snapshot_schedule_state = Table(
    "snapshot_schedule_state", metadata,
    Column("name", String(32), primary_key=True),
    Column("last_taken_at", UtcDateTime()),
)
