"""Compensation's read use cases: each opens the unit of work, reads, and never commits or writes."""
