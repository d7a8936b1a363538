"""Ledger lines name the quota period whose calculation they belong to (a recalculation sums them by it).

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("commission_lines", sa.Column("quota_period", sa.String(7), nullable=True))
    # Lines written before this revision were earned in the period they landed in.
    op.execute("UPDATE commission_lines SET quota_period = period WHERE deal_id IS NOT NULL")
    op.create_index("ix_lines_rep_quota_period", "commission_lines", ["rep_id", "quota_period"])


def downgrade() -> None:
    op.drop_index("ix_lines_rep_quota_period", table_name="commission_lines")
    op.drop_column("commission_lines", "quota_period")
