"""A deal's history: each change with who, when, from, to, and the time spent in each stage."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class HistoryEntry:
    deal_id: str
    version: int
    kind: str  # created | stage_changed | updated | closed | reopened
    at: datetime
    actor: str
    from_stage_id: str | None = None
    to_stage_id: str | None = None
    seconds_in_from_stage: int | None = None
    detail: str | None = None


@dataclass(frozen=True)
class StageTime:
    stage_id: str
    visits: int
    seconds: int


def seconds_between(start: datetime | None, end: datetime) -> int:
    return max(0, int((end - start).total_seconds())) if start else 0


def time_in_stages(entries: list[HistoryEntry], now: datetime) -> list[StageTime]:
    """Sum every stay in each stage, in order of first entry; the current stay runs until now."""
    visits: dict[str, int] = {}
    seconds: dict[str, int] = {}
    current: str | None = None
    entered: datetime | None = None
    for entry in sorted(entries, key=lambda e: e.version):
        if entry.to_stage_id is None or entry.to_stage_id == current:
            continue
        if current is not None:
            seconds[current] = seconds.get(current, 0) + seconds_between(entered, entry.at)
        current, entered = entry.to_stage_id, entry.at
        visits[current] = visits.get(current, 0) + 1
        seconds.setdefault(current, 0)
    if current is not None:
        seconds[current] += seconds_between(entered, now)
    return [StageTime(stage, visits[stage], seconds[stage]) for stage in visits]
