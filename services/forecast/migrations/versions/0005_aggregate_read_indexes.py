"""Covering read indexes on the aggregate rows: a forecast reads a period's rows of a dimension by an index-only
scan (the measures INCLUDEd on PostgreSQL), not from heap pages scattered over a large table.

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_KEYS = ["period", "dimension", "group_id", "currency"]
READ_INDEXES = {
    "totals_rows": ([*_KEYS, "bucket"], ["amount", "weighted", "deals"]),
    "stage_rows": ([*_KEYS, "pipeline_id", "stage_id"], ["amount", "deals"]),
    "age_rows": ([*_KEYS, "week"], ["amount", "amount_days"]),
}


def upgrade() -> None:
    for table, (keys, measures) in READ_INDEXES.items():
        op.create_index(f"ix_{table}_read", table, keys, postgresql_include=measures)


def downgrade() -> None:
    for table in READ_INDEXES:
        op.drop_index(f"ix_{table}_read", table_name=table)
