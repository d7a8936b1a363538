"""Pipeline's tables, repositories and read models."""
