"""Coxswain's plumbing: what every service uses and no service owns (no business rules here)."""
