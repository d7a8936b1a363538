"""Compensation's rules: plain Python, no I/O."""
