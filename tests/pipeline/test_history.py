"""Time spent in each stage from a deal's history (pure)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.pipeline.domain.history import HistoryEntry, StageTime, time_in_stages

pytestmark = pytest.mark.unit
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def test_every_stay_in_a_stage_adds_up_and_the_current_stay_runs_until_now() -> None:
    entries = [
        HistoryEntry("d", 1, "created", T0, "ana", to_stage_id="q"),
        HistoryEntry("d", 2, "stage_changed", T0 + 10 * H, "ana", "q", "p"),
        HistoryEntry("d", 3, "updated", T0 + 11 * H, "ana"),
        HistoryEntry("d", 4, "stage_changed", T0 + 14 * H, "ana", "p", "q"),
        HistoryEntry("d", 5, "stage_changed", T0 + 20 * H, "ana", "q", "p"),
    ]
    # q: 0h→10h (10h) + 14h→20h (6h) = 16h = 57,600 s; p: 10h→14h (4h) + 20h→now at 25h (5h) = 9h = 32,400 s
    assert time_in_stages(entries, T0 + 25 * H) == [StageTime("q", 2, 57_600), StageTime("p", 2, 32_400)]
