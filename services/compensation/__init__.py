"""Compensation service (port 8004): Plans, quotas, the commission ledger, clawbacks and statements."""
