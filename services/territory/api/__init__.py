"""Territory's HTTP API under /v1."""
