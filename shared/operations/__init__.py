"""What an operator runs beside the services: retention, topic set-up, status, dead letters, rebuilds.

The `coxswain` CLI (shared.cli) is a thin face over these modules.
"""
