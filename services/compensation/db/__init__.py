"""Compensation's tables, repositories and read models."""
