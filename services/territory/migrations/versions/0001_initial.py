"""Plumbing tables and territory's own: organisation, rotation, lead and deal books, quotas, plans.

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

_TABLES = ("plans", "quotas", "deal_book", "lead_book", "rotations", "revisions", "territories", "teams", "reps")


def upgrade() -> None:
    create_plumbing_tables_v1()
    op.create_table(
        "reps",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("team_id", sa.String(64), index=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("segments", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("manager_rep_id", sa.String(64)),
        sa.Column("parent_team_id", sa.String(64)),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "territories",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("parent_id", sa.String(64)),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("rules", sa.JSON, nullable=False),
        sa.Column("rep_ids", sa.JSON, nullable=False),
        sa.Column("is_default", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "revisions",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
    )
    op.create_table(
        "rotations",
        sa.Column("territory_id", sa.String(64), primary_key=True),
        sa.Column("rep_id", sa.String(64), primary_key=True),
        sa.Column("counter", sa.Integer, nullable=False),
    )
    _create_books()
    op.create_table(
        "plans",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("territories", sa.JSON, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("activated_at", UtcDateTime()),
        sa.Column("version", sa.Integer, nullable=False),
    )


def _create_books() -> None:
    op.create_table(
        "lead_book",
        sa.Column("lead_id", sa.String(64), primary_key=True),
        sa.Column("profile", sa.JSON, nullable=False),
        sa.Column("matched_territory_id", sa.String(64)),
        sa.Column("territory_id", sa.String(64), index=True),
        sa.Column("rep_id", sa.String(64), index=True),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("is_open", sa.Boolean, nullable=False),
        sa.Column("created_at", UtcDateTime()),
        sa.Column("assigned_at", UtcDateTime()),
        sa.Column("first_touch_at", UtcDateTime()),
        sa.Column("status_at", UtcDateTime()),
    )
    op.create_table(
        "deal_book",
        sa.Column("deal_id", sa.String(64), primary_key=True),
        sa.Column("territory_id", sa.String(64), index=True),
        sa.Column("owner_id", sa.String(64), index=True),
        sa.Column("lead_id", sa.String(64)),
        sa.Column("amount", ExactDecimal(20, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("changed_at", UtcDateTime(), nullable=False),
        sa.Column("closed_at", UtcDateTime()),
    )
    op.create_table(
        "quotas",
        sa.Column("rep_id", sa.String(64), primary_key=True),
        sa.Column("period", sa.String(10), primary_key=True),
        sa.Column("amount", ExactDecimal(20, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
    )


def downgrade() -> None:
    for table in _TABLES:
        op.drop_table(table)
    drop_plumbing_tables_v1()
