"""The default pipeline exists from the start (it was made by the first request that needed it, even a GET).

A data step: inserted only where it is missing, so a database where a request already made it keeps it as is.

Revision ID: 0004
Revises: 0003
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from shared.db.types import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# As domain/pipelines.default_pipeline builds it at the time of writing (a migration does not follow later code).
STAGES = [
    ("qualification", 1, "Qualification", 10, "pipeline", "open"),
    ("discovery", 2, "Discovery", 25, "pipeline", "open"),
    ("proposal", 3, "Proposal", 50, "best_case", "open"),
    ("negotiation", 4, "Negotiation", 75, "commit", "open"),
    ("closed_won", 5, "Closed won", 100, "closed", "won"),
    ("closed_lost", 6, "Closed lost", 0, "omitted", "lost"),
]


def upgrade() -> None:
    connection = op.get_bind()
    pipelines = sa.table("pipelines", sa.column("id", sa.String), sa.column("name", sa.String),
                         sa.column("created_at", UtcDateTime()), sa.column("version", sa.Integer))
    stages = sa.table("stages", *(sa.column(c) for c in ("pipeline_id", "id", "position", "name", "probability",
                                                         "forecast_category", "kind")))
    if connection.execute(sa.select(pipelines.c.id).where(pipelines.c.id == "default")).first() is not None:
        return
    op.execute(pipelines.insert().values(id="default", name="Default", created_at=datetime.now(UTC), version=1))
    columns = ("id", "position", "name", "probability", "forecast_category", "kind")
    op.bulk_insert(stages, [dict(zip(columns, s, strict=True), pipeline_id="default") for s in STAGES])


def downgrade() -> None:
    """The default pipeline stays: deals may be in it."""
