"""Operator commands beside the services: status, dead letters, rebuilds."""
