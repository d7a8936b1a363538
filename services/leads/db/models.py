"""Leads's own tables (none yet: the leads issue adds them)."""
from __future__ import annotations

from sqlalchemy import MetaData

metadata = MetaData()
