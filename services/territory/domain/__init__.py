"""Territory's rules: plain Python, no I/O."""
