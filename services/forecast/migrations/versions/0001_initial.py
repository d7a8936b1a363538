"""Plumbing tables and forecast's projection: deals, aggregate rows, win records, org copies, quotas,
event history, adjustments and snapshots.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from shared.db.plumbing_migration import create_plumbing_tables_v1, drop_plumbing_tables_v1
from shared.db.types import ExactDecimal, UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_plumbing_tables_v1()
    op.create_table(
        "adjustments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("adjustment_id", sa.String(36), nullable=False, unique=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("group_by", sa.String(10), nullable=False),
        sa.Column("group_id", sa.String(200), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", ExactDecimal(20, 2), nullable=False),
        sa.Column("note", sa.String(None), nullable=False),
        sa.Column("adjusted_by", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_adjustments_period", "adjustments", ["period"])
    op.create_table(
        "age_rows",
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("dimension", sa.String(10), primary_key=True),
        sa.Column("group_id", sa.String(200), primary_key=True),
        sa.Column("currency", sa.String(3), primary_key=True),
        sa.Column("week", sa.String(10), primary_key=True),
        sa.Column("amount", ExactDecimal(20, 2), nullable=False),
        sa.Column("amount_days", ExactDecimal(26, 2), nullable=False),
    )
    op.create_table(
        "cycle_stats",
        sa.Column("scope", sa.String(64), primary_key=True),
        sa.Column("won_deals", sa.Integer(), nullable=False),
        sa.Column("cycle_days", sa.Integer(), nullable=False),
    )
    op.create_table(
        "deal_stage_visits",
        sa.Column("deal_id", sa.String(64), primary_key=True),
        sa.Column("pipeline_id", sa.String(64), primary_key=True),
        sa.Column("stage_id", sa.String(64), primary_key=True),
    )
    op.create_table(
        "event_history",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("payload", sa.String(None), nullable=False),
    )
    op.create_index("ix_event_history_occurred_at", "event_history", ["occurred_at"])
    op.create_table(
        "forecast_deals",
        sa.Column("deal_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("amount", ExactDecimal(20, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("pipeline_id", sa.String(64), nullable=False),
        sa.Column("stage_id", sa.String(64), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("company", sa.String(200)),
        sa.Column("territory_id", sa.String(64)),
        sa.Column("expected_close_date", sa.Date()),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("closed_at", UtcDateTime()),
    )
    op.create_index("ix_forecast_deals_owner_id", "forecast_deals", ["owner_id"])
    op.create_table(
        "quotas",
        sa.Column("rep_id", sa.String(64), primary_key=True),
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("amount", ExactDecimal(20, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
    )
    op.create_table(
        "reps",
        sa.Column("rep_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("team_id", sa.String(64)),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "snapshot_lines",
        sa.Column("snapshot_id", sa.String(36), primary_key=True),
        sa.Column("dimension", sa.String(10), primary_key=True),
        sa.Column("group_id", sa.String(200), primary_key=True),
        sa.Column("currency", sa.String(3), primary_key=True),
        sa.Column("forecast", ExactDecimal(20, 2), nullable=False),
        sa.Column("closed_won", ExactDecimal(20, 2), nullable=False),
    )
    op.create_table(
        "snapshots",
        sa.Column("snapshot_id", sa.String(36), primary_key=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("taken_at", UtcDateTime(), nullable=False),
        sa.Column("trigger", sa.String(10), nullable=False),
        sa.Column("totals", sa.String(None), nullable=False),
    )
    op.create_index("ix_snapshots_period", "snapshots", ["period"])
    op.create_table(
        "snapshot_schedule_state",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("last_taken_at", UtcDateTime()),
    )
    op.create_table(
        "stage_records",
        sa.Column("pipeline_id", sa.String(64), primary_key=True),
        sa.Column("stage_id", sa.String(64), primary_key=True),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("wins", sa.Integer(), nullable=False),
        sa.Column("losses", sa.Integer(), nullable=False),
    )
    op.create_table(
        "stage_rows",
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("dimension", sa.String(10), primary_key=True),
        sa.Column("group_id", sa.String(200), primary_key=True),
        sa.Column("currency", sa.String(3), primary_key=True),
        sa.Column("pipeline_id", sa.String(64), primary_key=True),
        sa.Column("stage_id", sa.String(64), primary_key=True),
        sa.Column("amount", ExactDecimal(20, 2), nullable=False),
        sa.Column("deals", sa.Integer(), nullable=False),
    )
    op.create_table(
        "teams",
        sa.Column("team_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("manager_rep_id", sa.String(64)),
        sa.Column("parent_team_id", sa.String(64)),
    )
    op.create_table(
        "territories",
        sa.Column("territory_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("parent_id", sa.String(64)),
        sa.Column("rep_ids", sa.String(None), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "totals_rows",
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("dimension", sa.String(10), primary_key=True),
        sa.Column("group_id", sa.String(200), primary_key=True),
        sa.Column("currency", sa.String(3), primary_key=True),
        sa.Column("bucket", sa.String(16), primary_key=True),
        sa.Column("amount", ExactDecimal(20, 2), nullable=False),
        sa.Column("weighted", ExactDecimal(22, 4), nullable=False),
        sa.Column("deals", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("snapshot_schedule_state")
    op.drop_table("totals_rows")
    op.drop_table("territories")
    op.drop_table("teams")
    op.drop_table("stage_rows")
    op.drop_table("stage_records")
    op.drop_table("snapshots")
    op.drop_table("snapshot_lines")
    op.drop_table("reps")
    op.drop_table("quotas")
    op.drop_table("forecast_deals")
    op.drop_table("event_history")
    op.drop_table("deal_stage_visits")
    op.drop_table("cycle_stats")
    op.drop_table("age_rows")
    op.drop_table("adjustments")
    drop_plumbing_tables_v1()
