"""Territory's tables, repositories and read models."""
