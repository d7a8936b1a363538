"""Plumbing tables and deals.

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
        "deals",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("company", sa.String(300)),
        sa.Column("amount", ExactDecimal(20, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("owner_id", sa.String(64), nullable=False, index=True),
        sa.Column("territory_id", sa.String(64)),
        sa.Column("pipeline_id", sa.String(64), nullable=False),
        sa.Column("stage_id", sa.String(64), nullable=False),
        sa.Column("probability", sa.Integer, nullable=False),
        sa.Column("forecast_category", sa.String(20), nullable=False),
        sa.Column("expected_close_date", sa.Date),
        sa.Column("lead_id", sa.String(64)),
        sa.Column("splits", sa.JSON, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("closed_at", UtcDateTime()),
        sa.Column("version", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("deals")
    drop_plumbing_tables_v1()
