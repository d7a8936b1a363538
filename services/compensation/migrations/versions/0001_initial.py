"""Plumbing tables and the commission ledger.

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
        "commission_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("rep_id", sa.String(64), nullable=False, index=True),
        sa.Column("deal_id", sa.String(64), nullable=False, index=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("component", sa.String(100), nullable=False),
        sa.Column("base", ExactDecimal(20, 2), nullable=False),
        sa.Column("rate", ExactDecimal(12, 6), nullable=False),
        sa.Column("amount", ExactDecimal(20, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("source_event_id", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("source_event_id", "rep_id", "component", name="uq_line_per_event_rep_component"),
    )


def downgrade() -> None:
    op.drop_table("commission_lines")
    drop_plumbing_tables_v1()
