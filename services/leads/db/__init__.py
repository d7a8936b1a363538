"""Leads's tables, repositories and read models."""
