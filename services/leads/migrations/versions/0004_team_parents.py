"""Teams keep their parent link (a manager sees the leads of every team below theirs, shared/visibility.py);
the `territory_members` table, never used since territory routes every lead, goes.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("teams", sa.Column("parent_team_id", sa.String(64), nullable=True))
    op.drop_table("territory_members")


def downgrade() -> None:
    op.create_table(
        "territory_members",
        sa.Column("territory_id", sa.String(64), primary_key=True),
        sa.Column("rep_ids", sa.JSON, nullable=False),
    )
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("parent_team_id")
