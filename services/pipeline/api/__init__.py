"""Pipeline's HTTP API under /v1."""
