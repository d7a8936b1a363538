"""The outbox keeps the W3C trace context of whatever wrote each row (shared plumbing, issue 10).

Revision ID: 0002
Revises: 0001
"""
from shared.db.plumbing_migration import add_outbox_traceparent_v2, drop_outbox_traceparent_v2

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_traceparent_v2()


def downgrade() -> None:
    drop_outbox_traceparent_v2()
