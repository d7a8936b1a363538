"""Leads's rules: plain Python, no I/O."""
