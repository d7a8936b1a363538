"""Leads' write use cases, one module per aggregate; each opens the unit of work (or joins the one a handler
runs in) and commits. Routes, handlers and workers call them as `commands.<name>`."""
from services.leads.commands.configuration import replace_rules, save_sla_policy
from services.leads.commands.intake import Captured, CrmDelivery, capture_lead, import_rows, receive_crm_lead
from services.leads.commands.leads import (
    assign_lead,
    breach_sla,
    change_lead,
    convert_lead,
    route_leads,
    unassign_lead,
)
from services.leads.commands.organisation import keep_organisation

__all__ = [
    "Captured", "CrmDelivery", "assign_lead", "breach_sla", "capture_lead", "change_lead", "convert_lead",
    "import_rows", "keep_organisation", "receive_crm_lead", "replace_rules", "route_leads",
    "save_sla_policy", "unassign_lead",
]
