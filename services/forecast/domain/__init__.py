"""Forecast's rules: plain Python, no I/O."""
