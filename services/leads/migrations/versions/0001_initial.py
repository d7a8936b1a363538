"""Plumbing tables and leads' own: leads, merge and assignment history, the local organisation copy,
scoring rules (seeded with a starting set ops can replace) and CRM deliveries.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from services.leads.domain.scoring import DEFAULT_RULES
from services.leads.domain.sla import DEFAULT_BANDS
from shared.db.plumbing_migration import create_plumbing_tables_v1, drop_plumbing_tables_v1
from shared.db.types import ExactDecimal, UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TABLES = ("sla_policy", "crm_deliveries", "scoring_rules", "territory_members", "teams", "reps", "lead_assignments",
           "lead_merges", "leads")


def upgrade() -> None:
    create_plumbing_tables_v1()
    op.create_table(
        "leads",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("email", sa.String(254), unique=True),
        sa.Column("name", sa.String(300)),
        sa.Column("name_key", sa.String(300)),
        sa.Column("company", sa.String(300)),
        sa.Column("company_domain", sa.String(253)),
        sa.Column("title", sa.String(200)),
        sa.Column("phone", sa.String(50)),
        sa.Column("country", sa.String(2)),
        sa.Column("region", sa.String(100)),
        sa.Column("postal_code", sa.String(20)),
        sa.Column("industry", sa.String(100)),
        sa.Column("employee_count", sa.Integer),
        sa.Column("source", sa.String(100)),
        sa.Column("activity_count", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("disqualified_reason", sa.String(500)),
        sa.Column("owner_id", sa.String(64)),
        sa.Column("territory_id", sa.String(64)),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("score_explanation", sa.JSON, nullable=False),
        sa.Column("sla_started_at", UtcDateTime()),
        sa.Column("sla_due_at", UtcDateTime()),
        sa.Column("sla_breached_at", UtcDateTime()),
        sa.Column("sla_breaches", sa.Integer, nullable=False),
        sa.Column("escalated_to", sa.String(64)),
        sa.Column("first_touched_at", UtcDateTime()),
        sa.Column("deal_id", sa.String(64), unique=True),
        sa.Column("converted_amount", ExactDecimal(20, 2)),
        sa.Column("converted_currency", sa.String(3)),
        sa.Column("converted_at", UtcDateTime()),
        sa.Column("merged_count", sa.Integer, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "lead_merges",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("lead_id", sa.String(64), nullable=False, index=True),
        sa.Column("merged_at", UtcDateTime(), nullable=False),
        sa.Column("origin", sa.String(100), nullable=False),
        sa.Column("matched_on", sa.String(20), nullable=False),
        sa.Column("filled", sa.JSON, nullable=False),
    )
    op.create_table(
        "lead_assignments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("lead_id", sa.String(64), nullable=False, index=True),
        sa.Column("rep_id", sa.String(64)),
        sa.Column("previous_rep_id", sa.String(64)),
        sa.Column("territory_id", sa.String(64)),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("assigned_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "reps",
        sa.Column("rep_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("team_id", sa.String(64), index=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
    )
    op.create_table(
        "teams",
        sa.Column("team_id", sa.String(64), primary_key=True),
        sa.Column("manager_rep_id", sa.String(64)),
    )
    op.create_table(
        "territory_members",
        sa.Column("territory_id", sa.String(64), primary_key=True),
        sa.Column("rep_ids", sa.JSON, nullable=False),
    )
    op.create_table(
        "scoring_rules",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("op", sa.String(20), nullable=False),
        sa.Column("value", sa.JSON, nullable=False),
        sa.Column("points", sa.Integer, nullable=False),
        sa.Column("description", sa.String(300), nullable=False),
    )
    op.create_table(
        "crm_deliveries",
        sa.Column("event_id", sa.String(200), primary_key=True),
        sa.Column("lead_id", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_leads_domain_name", "leads", ["company_domain", "name_key"])
    op.create_index("ix_leads_owner_status", "leads", ["owner_id", "status"])
    op.create_index("ix_leads_created", "leads", ["created_at", "id"])
    op.create_index("ix_leads_sla_due", "leads", ["status", "sla_due_at"])
    op.create_table(
        "sla_policy",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("bands", sa.String(500), nullable=False),
        sa.Column("breach_action", sa.String(20), nullable=False),
    )
    _seed_rules()
    op.bulk_insert(sa.table("sla_policy", sa.column("id"), sa.column("bands"), sa.column("breach_action")),
                   [{"id": 1, "bands": DEFAULT_BANDS, "breach_action": "reroute"}])


def _seed_rules() -> None:
    table = sa.table("scoring_rules", *(sa.column(c) for c in ("id", "position", "field", "op", "points",
                                                                 "description")), sa.column("value", sa.JSON))
    op.bulk_insert(table, [{"id": r.id, "position": i, "field": r.field, "op": r.op, "value": r.value,
                             "points": r.points, "description": r.description}
                            for i, r in enumerate(DEFAULT_RULES)])


def downgrade() -> None:
    for name in _TABLES:
        op.drop_table(name)
    drop_plumbing_tables_v1()
