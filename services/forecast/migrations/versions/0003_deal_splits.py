"""Deals keep their splits; the aggregate rows gain the `split` dimension (the splits view).

Revision ID: 0003
Revises: 0002

Deals projected before this revision have no `split` rows until forecast's projection is rebuilt from the
event history (docs/forecast.md, "Rebuilding").
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("forecast_deals", sa.Column("splits", sa.JSON, nullable=False, server_default="[]"))


def downgrade() -> None:
    op.drop_column("forecast_deals", "splits")
