"""Leads's HTTP API under /v1."""
