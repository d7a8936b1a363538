"""One valid example payload per event type: contract tests round-trip them, docs show them."""
from __future__ import annotations

from typing import Any

T0 = "2026-11-02T09:30:00Z"

EXAMPLES: dict[str, dict[str, Any]] = {
    "coxswain.rep.upserted.v1": {"rep_id": "rep-1", "name": "Ada Byron", "email": "ada@example.com",
                                 "team_id": "team-emea", "active": True, "capacity": 40, "segments": ["mid-market"]},
    "coxswain.team.upserted.v1": {"team_id": "team-emea", "name": "EMEA", "manager_rep_id": "rep-9",
                                  "parent_team_id": None},
    "coxswain.territory.upserted.v1": {
        "territory_id": "ter-dach", "name": "DACH", "parent_id": "ter-emea", "priority": 10,
        "rules": [{"conditions": [{"field": "country", "op": "in", "value": ["DE", "AT", "CH"]}]}],
        "rep_ids": ["rep-1"]},
    "coxswain.territory.deleted.v1": {"territory_id": "ter-dach"},
    "coxswain.lead.created.v1": {"lead_id": "lead-1", "source": "web", "email": "jo@acme.de", "name": "Jo Doe",
                                 "company": "Acme", "country": "DE", "region": "BY", "postal_code": "80331",
                                 "industry": "software", "employee_count": 250, "score": 72, "created_at": T0},
    "coxswain.lead.routed.v1": {"lead_id": "lead-1", "territory_id": "ter-dach", "rep_id": "rep-1",
                                "reason": "rule country in [DE, AT, CH]; round robin by capacity"},
    "coxswain.lead.assigned.v1": {"lead_id": "lead-1", "rep_id": "rep-1", "territory_id": "ter-dach",
                                  "previous_rep_id": None, "assigned_at": T0, "reason": "routed"},
    "coxswain.lead.status_changed.v1": {"lead_id": "lead-1", "from_status": "new", "to_status": "working",
                                        "changed_at": T0},
    "coxswain.lead.sla_breached.v1": {"lead_id": "lead-1", "rep_id": "rep-1", "due_at": T0,
                                      "breached_at": "2026-11-02T10:30:00Z"},
    "coxswain.lead.converted.v1": {"lead_id": "lead-1", "deal_id": "deal-1", "owner_id": "rep-1",
                                   "territory_id": "ter-dach", "company": "Acme", "amount": "48000.00",
                                   "currency": "EUR"},
    "coxswain.deal.created.v1": {"deal_id": "deal-1", "name": "Acme platform", "company": "Acme",
                                 "amount": "48000.00", "currency": "EUR", "owner_id": "rep-1",
                                 "territory_id": "ter-dach", "pipeline_id": "new-business", "stage_id": "discovery",
                                 "probability": 20, "forecast_category": "pipeline",
                                 "expected_close_date": "2026-12-15", "lead_id": "lead-1", "created_at": T0},
    "coxswain.deal.stage_changed.v1": {"deal_id": "deal-1", "from_stage_id": "discovery", "to_stage_id": "proposal",
                                       "probability": 60, "forecast_category": "best_case", "amount": "48000.00",
                                       "currency": "EUR", "owner_id": "rep-1", "expected_close_date": "2026-12-15",
                                       "changed_at": T0},
    "coxswain.deal.updated.v1": {"deal_id": "deal-1", "amount": "52000.00", "updated_at": T0},
    "coxswain.deal.closed.v1": {"deal_id": "deal-1", "outcome": "won", "amount": "52000.00", "currency": "EUR",
                                "owner_id": "rep-1", "splits": [{"rep_id": "rep-1", "percent": "100"}],
                                "territory_id": "ter-dach", "created_at": T0, "closed_at": "2026-12-10T16:00:00Z"},
    "coxswain.deal.closed.v2": {"deal_id": "deal-1", "outcome": "won",
                                "value": {"amount": "52000.00", "currency": "EUR"}, "owner_id": "rep-1",
                                "splits": [{"rep_id": "rep-1", "percent": "100"}], "territory_id": "ter-dach",
                                "created_at": T0, "closed_at": "2026-12-10T16:00:00Z"},
    "coxswain.deal.reopened.v1": {"deal_id": "deal-1", "stage_id": "negotiation", "reopened_at": T0},
    "coxswain.quota.set.v1": {"rep_id": "rep-1", "period": "2026-Q4", "amount": "100000.00", "currency": "EUR"},
    "coxswain.commission.calculated.v1": {
        "rep_id": "rep-1", "deal_id": "deal-1", "period": "2026-12", "amount": "5200.00", "currency": "EUR",
        "lines": [{"component": "base", "base": "52000.00", "rate": "0.10", "amount": "5200.00"}]},
    "coxswain.commission.reversed.v1": {"rep_id": "rep-1", "deal_id": "deal-1", "period": "2026-12",
                                        "amount": "-5200.00", "currency": "EUR", "reason": "deal reopened"},
    "coxswain.forecast.snapshot_taken.v1": {"snapshot_id": "snap-1", "period": "2026-Q4", "method": "weighted",
                                            "taken_at": T0, "totals": {"forecast": "310000.00"}},
}
