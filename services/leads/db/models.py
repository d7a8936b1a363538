"""Leads' own tables (the plumbing tables sit beside them in the same database)."""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, Integer, MetaData, String, Table

from shared.db.types import ExactDecimal, UtcDateTime

metadata = MetaData()

leads = Table(
    "leads", metadata,
    Column("id", String(64), primary_key=True),
    Column("email", String(254), unique=True),
    Column("name", String(300)),
    Column("name_key", String(300)),
    Column("company", String(300)),
    Column("company_domain", String(253)),
    Column("title", String(200)),
    Column("phone", String(50)),
    Column("country", String(2)),
    Column("region", String(100)),
    Column("postal_code", String(20)),
    Column("industry", String(100)),
    Column("employee_count", Integer),
    Column("source", String(100)),
    Column("activity_count", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("disqualified_reason", String(500)),
    Column("owner_id", String(64)),
    Column("territory_id", String(64)),
    Column("score", Integer, nullable=False),
    Column("score_explanation", JSON, nullable=False),
    Column("sla_started_at", UtcDateTime()),
    Column("sla_due_at", UtcDateTime()),
    Column("sla_breached_at", UtcDateTime()),
    Column("sla_breaches", Integer, nullable=False),
    Column("escalated_to", String(64)),
    Column("first_touched_at", UtcDateTime()),
    Column("deal_id", String(64), unique=True),
    Column("converted_amount", ExactDecimal(20, 2)),
    Column("converted_currency", String(3)),
    Column("converted_at", UtcDateTime()),
    Column("merged_count", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_leads_domain_name", "company_domain", "name_key"),
    Index("ix_leads_owner_status", "owner_id", "status"),
    Index("ix_leads_created", "created_at", "id"),
    Index("ix_leads_sla_due", "status", "sla_due_at"),
)

lead_merges = Table(
    "lead_merges", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("lead_id", String(64), nullable=False, index=True),
    Column("merged_at", UtcDateTime(), nullable=False),
    Column("origin", String(100), nullable=False),
    Column("matched_on", String(20), nullable=False),
    Column("filled", JSON, nullable=False),
)

lead_assignments = Table(
    "lead_assignments", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("lead_id", String(64), nullable=False, index=True),
    Column("rep_id", String(64)),
    Column("previous_rep_id", String(64)),
    Column("territory_id", String(64)),
    Column("reason", String(500), nullable=False),
    Column("assigned_at", UtcDateTime(), nullable=False),
)

reps = Table(
    "reps", metadata,
    Column("rep_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("team_id", String(64), index=True),
    Column("active", Boolean, nullable=False),
    Column("capacity", Integer, nullable=False),
)

teams = Table(
    "teams", metadata,
    Column("team_id", String(64), primary_key=True),
    Column("manager_rep_id", String(64)),
    Column("parent_team_id", String(64)),  # a manager of the parent sees this team's leads too
)

scoring_rules = Table(
    "scoring_rules", metadata,
    Column("id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("field", String(40), nullable=False),
    Column("op", String(20), nullable=False),
    Column("value", JSON, nullable=False),
    Column("points", Integer, nullable=False),
    Column("description", String(300), nullable=False),
)

crm_deliveries = Table(
    "crm_deliveries", metadata,
    Column("event_id", String(200), primary_key=True),
    Column("lead_id", String(64), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
)

sla_policy = Table(
    "sla_policy", metadata,
    Column("id", Integer, primary_key=True),
    Column("bands", String(500), nullable=False),
    Column("breach_action", String(20), nullable=False),
)
