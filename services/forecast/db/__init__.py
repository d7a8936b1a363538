"""Forecast's tables, repositories and read models."""
