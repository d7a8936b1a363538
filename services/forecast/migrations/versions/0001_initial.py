"""Plumbing tables and the closed-deal projection.

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
        "closed_deals",
        sa.Column("deal_id", sa.String(64), primary_key=True),
        sa.Column("owner_id", sa.String(64), nullable=False, index=True),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("amount", ExactDecimal(20, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("quarter", sa.String(7), nullable=False, index=True),
        sa.Column("closed_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("closed_deals")
    drop_plumbing_tables_v1()
