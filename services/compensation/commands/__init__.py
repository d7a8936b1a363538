"""Compensation's write use cases, one module per aggregate: the ledger, plans (with quotas), periods (with
rates and draws) and inquiries. Each is a `@command` that owns its transaction, or joins a handler's."""
