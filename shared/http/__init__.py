"""HTTP conventions of CONTRACT.md: problems, auth, pagination, idempotency, webhooks, ops endpoints."""
