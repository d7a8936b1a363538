"""Leads service (port 8001): Leads: capture, dedupe, scoring, routing, follow-up SLA, conversion."""
