"""Plumbing tables; pipelines and stages, deals and their history, the org copy, CRM deliveries, summaries.

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
TABLES = ("pipelines", "stages", "deals", "deal_history", "reps", "teams", "crm_deliveries",
          "funnel_counts", "stage_dwell", "deal_outcomes", "open_deals")


def upgrade() -> None:
    create_plumbing_tables_v1()
    _pipeline_and_deal_tables()
    _organisation_and_crm_tables()
    _summary_tables()


def _pipeline_and_deal_tables() -> None:
    """Pipelines, stages, deals and their history."""
    op.create_table(
        "pipelines",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "stages",
        sa.Column("pipeline_id", sa.String(64), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("probability", sa.Integer, nullable=False),
        sa.Column("forecast_category", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
    )
    op.create_table(
        "deals",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("company", sa.String(300)),
        sa.Column("amount", ExactDecimal(20, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("owner_id", sa.String(64), nullable=False, index=True),
        sa.Column("team_id", sa.String(64), index=True),
        sa.Column("territory_id", sa.String(64)),
        sa.Column("pipeline_id", sa.String(64), nullable=False),
        sa.Column("stage_id", sa.String(64), nullable=False),
        sa.Column("probability", sa.Integer, nullable=False),
        sa.Column("forecast_category", sa.String(20), nullable=False),
        sa.Column("category_override", sa.String(20)),
        sa.Column("expected_close_date", sa.Date),
        sa.Column("lead_id", sa.String(64), unique=True),
        sa.Column("external_id", sa.String(128), unique=True),
        sa.Column("splits", sa.JSON, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("lost_reason", sa.String(500)),
        sa.Column("last_open_stage_id", sa.String(64)),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("stage_entered_at", UtcDateTime(), nullable=False),
        sa.Column("closed_at", UtcDateTime()),
        sa.Column("furthest_position", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Index("ix_deals_open_idle", "status", "stage_entered_at"),
        sa.Index("ix_deals_open_due", "status", "expected_close_date"),
        sa.Index("ix_deals_pipeline_stage", "pipeline_id", "stage_id"),
    )
    op.create_table(
        "deal_history",
        sa.Column("deal_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("from_stage_id", sa.String(64)),
        sa.Column("to_stage_id", sa.String(64)),
        sa.Column("seconds_in_from_stage", sa.BigInteger),
        sa.Column("detail", sa.String(500)),
    )


def _organisation_and_crm_tables() -> None:
    """The local copy of reps and teams; CRM deliveries already applied."""
    op.create_table(
        "reps",
        sa.Column("rep_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("team_id", sa.String(64), index=True),
        sa.Column("active", sa.Integer, nullable=False),
    )
    op.create_table(
        "teams",
        sa.Column("team_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("manager_rep_id", sa.String(64)),
        sa.Column("parent_team_id", sa.String(64)),
    )
    op.create_table(
        "crm_deliveries",
        sa.Column("event_id", sa.String(200), primary_key=True),
        sa.Column("external_id", sa.String(128), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
    )


def _summary_tables() -> None:
    """Analytics summary rows, kept in each deal change's transaction."""
    op.create_table(
        "funnel_counts",
        sa.Column("pipeline_id", sa.String(64), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("scope", sa.String(140), primary_key=True),
        sa.Column("stage_id", sa.String(64), primary_key=True),
        sa.Column("reached", sa.Integer, nullable=False),
    )
    op.create_table(
        "stage_dwell",
        sa.Column("pipeline_id", sa.String(64), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("scope", sa.String(140), primary_key=True),
        sa.Column("stage_id", sa.String(64), primary_key=True),
        sa.Column("days", sa.Integer, primary_key=True),
        sa.Column("deals", sa.Integer, nullable=False),
        sa.Column("seconds", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "deal_outcomes",
        sa.Column("pipeline_id", sa.String(64), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("scope", sa.String(140), primary_key=True),
        sa.Column("currency", sa.String(3), primary_key=True),
        sa.Column("won", sa.Integer, nullable=False),
        sa.Column("lost", sa.Integer, nullable=False),
        sa.Column("won_amount", ExactDecimal(20, 2), nullable=False),
        sa.Column("cycle_seconds", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "open_deals",
        sa.Column("pipeline_id", sa.String(64), primary_key=True),
        sa.Column("scope", sa.String(140), primary_key=True),
        sa.Column("currency", sa.String(3), primary_key=True),
        sa.Column("deals", sa.Integer, nullable=False),
        sa.Column("amount", ExactDecimal(20, 2), nullable=False),
    )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
    drop_plumbing_tables_v1()
