"""Deals keep their splits; the aggregate rows gain the `split` dimension (the splits view).

Revision ID: 0002_deal_splits
Revises: 0001

Deals projected before this revision have no `split` rows until forecast's projection is rebuilt from the
event history (docs/forecast.md, "Rebuilding").
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_deal_splits"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("forecast_deals", sa.Column("splits", sa.JSON, nullable=False, server_default="[]"))


def downgrade() -> None:
    op.drop_column("forecast_deals", "splits")
