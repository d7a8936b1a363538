"""Outgoing webhooks: subscriptions and their delivery log (shared plumbing, issue 15, docs/webhooks.md).

Revision ID: 0004
Revises: 0003
"""
from shared.webhooks_out.migration import create_webhook_tables_v1, drop_webhook_tables_v1

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_webhook_tables_v1()


def downgrade() -> None:
    drop_webhook_tables_v1()
