"""The embedded bus survives a restart: committed positions persist, nothing is lost or handled twice."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.clock import FixedClock
from shared.messaging.embedded import EmbeddedBus
from shared.messaging.records import OutgoingRecord

pytestmark = pytest.mark.unit
CLOCK = FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC))


async def test_a_group_resumes_after_its_last_committed_record(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bus.db'}"
    bus = EmbeddedBus(url, clock=CLOCK)
    await bus.append([OutgoingRecord("coxswain.pipeline", f"deal-{i}", f"v{i}".encode()) for i in range(5)])
    await bus.append([OutgoingRecord("coxswain.leads", "lead-1", b"other topic")])
    first = await bus.fetch("forecast", ["coxswain.pipeline"], limit=2)
    assert [r.value for r in first] == [b"v0", b"v1"]
    await bus.commit("forecast", "coxswain.pipeline", first[-1].offset)
    await bus.close()

    reopened = EmbeddedBus(url, clock=CLOCK)  # a process restart
    rest = await reopened.fetch("forecast", ["coxswain.pipeline"], limit=100)
    assert [r.value for r in rest] == [b"v2", b"v3", b"v4"]
    assert [r.value for r in await reopened.fetch("compensation", ["coxswain.pipeline"], limit=100)] == [
        b"v0", b"v1", b"v2", b"v3", b"v4"]  # another group has its own position
    await reopened.close()
