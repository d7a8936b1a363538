"""Forecast's HTTP API under /v1."""
