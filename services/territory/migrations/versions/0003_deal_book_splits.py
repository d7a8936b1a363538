"""The deal book keeps each deal's splits, so coverage credits reps as compensation does (shared.crediting).

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
    # Deals booked before this revision credit their owner until their next event states the splits.
    op.add_column("deal_book", sa.Column("splits", sa.JSON, nullable=False, server_default="[]"))


def downgrade() -> None:
    op.drop_column("deal_book", "splits")
