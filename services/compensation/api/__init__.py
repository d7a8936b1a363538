"""Compensation's HTTP API under /v1."""
