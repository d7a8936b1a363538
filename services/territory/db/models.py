"""Territory's own tables (none yet: the territory issue adds them)."""
from __future__ import annotations

from sqlalchemy import MetaData

metadata = MetaData()
