"""How the operator commands print: rich tables for people, JSON for scripts."""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from shared.operations.dead_letters import DeadLetter
from shared.operations.status import StatusReport


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def _when(at: datetime | None, now: datetime) -> str:
    return "-" if at is None else f"{at.isoformat(timespec='seconds')} ({_age((now - at).total_seconds())} ago)"


def print_status(console: Console, report: StatusReport) -> None:
    table = Table(title=f"Coxswain status ({report.bus} bus, {report.at.isoformat(timespec='seconds')})")
    for column in ("service", "group", "lag", "last applied", "outbox", "oldest unpublished", "problems"):
        table.add_column(column)
    for s in report.services:
        table.add_row(s.service, s.group, str(s.lag), _when(s.last_applied_at, report.at),
                         "-" if s.outbox_depth is None else str(s.outbox_depth),
                         _age(s.oldest_unpublished_seconds), "; ".join(s.errors) or "")
    console.print(table)
    partitions = Table(title="Lag per topic and partition")
    for column in ("group", "topic", "partition", "position", "lag"):
        partitions.add_column(column)
    for s in report.services:
        for p in s.partitions:
            partitions.add_row(s.group, p.topic, str(p.partition), str(p.position), str(p.lag))
    console.print(partitions)
    letters = Table(title="Dead letters")
    for column in ("topic", "group", "count"):
        letters.add_column(column)
    for d in report.dead_letters:
        letters.add_row(d.topic, d.group, str(d.count))
    console.print(letters if report.dead_letters else "Dead letters: none")


def print_dead_letters(console: Console, letters: Sequence[DeadLetter]) -> None:
    table = Table(title=f"{len(letters)} dead letters")
    for column in ("id", "group", "original", "type", "reason"):
        table.add_column(column, overflow="fold")
    for x in letters:
        table.add_row(x.id, x.group, f"{x.original_topic}[{x.original_partition}]@{x.original_offset}",
                      x.event_type, x.reason[:160])
    console.print(table)


def print_dead_letter(console: Console, letter: DeadLetter) -> None:
    for name, value in letter.summary().items():
        console.print(f"[bold]{name}[/bold]: {value}")
    console.print_json(json.dumps(letter.document(), default=str))


def as_json(document: Any) -> str:
    return json.dumps(document, default=str, indent=2)
