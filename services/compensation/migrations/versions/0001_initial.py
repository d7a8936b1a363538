"""Plumbing tables; plans, versions, assignments, quotas, exchange rates, the deal copy, credits, the ledger,
periods, draws and the local copy of reps and teams.

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
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TABLES = ("inquiry_messages", "inquiries", "teams", "reps", "quotas", "plans", "plan_versions", "plan_assignments",
          "periods", "exchange_rates", "draws", "deals", "credits", "commission_lines")


def upgrade() -> None:
    create_plumbing_tables_v1()
    op.create_table(
        "commission_lines",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("rep_id", sa.String(64), nullable=False),
        sa.Column("deal_id", sa.String(64), nullable=True, index=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("component", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("base", ExactDecimal(20, 2), nullable=False),
        sa.Column("rate", ExactDecimal(20, 8), nullable=False),
        sa.Column("amount", ExactDecimal(20, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("tier", sa.String(40), nullable=True),
        sa.Column("attainment_before", ExactDecimal(12, 4), nullable=True),
        sa.Column("attainment_after", ExactDecimal(12, 4), nullable=True),
        sa.Column("plan_id", sa.String(64), nullable=True),
        sa.Column("plan_version", sa.Integer, nullable=True),
        sa.Column("credit_no", sa.Integer, nullable=True),
        sa.Column("reason", sa.String(300), nullable=True),
        sa.Column("source_event_id", sa.String(64), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_lines_rep_period", "commission_lines", ["rep_id", "period"])
    op.create_table(
        "credits",
        sa.Column("deal_id", sa.String(64), primary_key=True),
        sa.Column("rep_id", sa.String(64), primary_key=True),
        sa.Column("credit_no", sa.Integer, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(300), nullable=True),
        sa.Column("percent", ExactDecimal(16, 6), nullable=False),
        sa.Column("base", ExactDecimal(20, 2), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("quota_period", sa.String(7), nullable=True),
        sa.Column("plan_id", sa.String(64), nullable=True),
        sa.Column("plan_version", sa.Integer, nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_credits_status", "credits", ["status"])
    op.create_index("ix_credits_attainment", "credits", ["rep_id", "quota_period", "status"])
    op.create_table(
        "deals",
        sa.Column("deal_id", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("amount", ExactDecimal(20, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("owner_id", sa.String(64), nullable=False),
        sa.Column("splits", sa.JSON, nullable=False),
        sa.Column("closed_at", UtcDateTime(), nullable=True),
        sa.Column("products", sa.JSON, nullable=False),
        sa.Column("new_logo", sa.Integer, nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "draws",
        sa.Column("rep_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("amount", ExactDecimal(20, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("balance", ExactDecimal(20, 2), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "exchange_rates",
        sa.Column("base", sa.String(3), primary_key=True),
        sa.Column("quote", sa.String(3), primary_key=True),
        sa.Column("effective_on", sa.Date, primary_key=True),
        sa.Column("rate", ExactDecimal(20, 8), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "periods",
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("closed_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "plan_assignments",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("plan_id", sa.String(64), nullable=False),
        sa.Column("rep_id", sa.String(64), nullable=False, index=True),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "plan_versions",
        sa.Column("plan_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("terms", sa.JSON, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "plans",
        sa.Column("plan_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "quotas",
        sa.Column("rep_id", sa.String(64), primary_key=True),
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("amount", ExactDecimal(20, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "reps",
        sa.Column("rep_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("team_id", sa.String(64), nullable=True, index=True),
        sa.Column("active", sa.Integer, nullable=False),
    )
    op.create_table(
        "teams",
        sa.Column("team_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("manager_rep_id", sa.String(64), nullable=True),
        sa.Column("parent_team_id", sa.String(64), nullable=True),
    )

    op.create_table(
        "inquiries",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("line_id", ID, nullable=False, index=True),
        sa.Column("rep_id", sa.String(64), nullable=False, index=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("adjustment_line_id", ID, nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("resolved_at", UtcDateTime(), nullable=True),
    )
    op.create_table(
        "inquiry_messages",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("inquiry_id", ID, nullable=False, index=True),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("body", sa.String(2000), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
    drop_plumbing_tables_v1()
