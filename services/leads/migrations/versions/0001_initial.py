"""Plumbing tables.

Revision ID: 0001
Revises:
"""
from shared.db.plumbing_migration import create_plumbing_tables_v1, drop_plumbing_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_plumbing_tables_v1()


def downgrade() -> None:
    drop_plumbing_tables_v1()
