"""Accuracy: error, bias and percentage error per method and week before period end."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from services.forecast.domain.accuracy import SnapshotLine, score, weeks_before

pytestmark = pytest.mark.unit
D = Decimal
END = date(2026, 12, 31)


def at(day: int) -> datetime:
    return datetime(2026, 12, day, 9, tzinfo=UTC)


def test_error_and_bias_per_method_and_week() -> None:
    lines = [
        SnapshotLine("weighted", at(16), "rep", "rep-1", "USD", D(1)),  # same week as Dec 17, older: ignored
        SnapshotLine("weighted", at(17), "rep", "rep-1", "USD", D(9000)),
        SnapshotLine("weighted", at(17), "rep", "rep-2", "USD", D(4000)),
        SnapshotLine("category", at(3), "rep", "rep-1", "USD", D(10000)),
    ]
    actual = {("rep", "rep-1", "USD"): D(10000), ("rep", "rep-2", "USD"): D(2000)}
    scores = {(s.method, s.weeks_before_end): s for s in score(lines, actual, END)}
    assert set(scores) == {("weighted", 2), ("category", 4)}  # (31 − 17) // 7 = 2; (31 − 3) // 7 = 4
    weighted = scores[("weighted", 2)]
    assert [g.error for g in weighted.groups] == [D(-1000), D(2000)]
    assert weighted.bias == D(500)  # (−1,000 + 2,000) / 2
    assert weighted.mean_absolute_error == D(1500)  # (1,000 + 2,000) / 2
    assert weighted.absolute_percentage_error == D("0.25")  # 3,000 / 12,000
    category = scores[("category", 4)]
    # rep-2 was not in the snapshot: called 0 against 2,000
    assert [g.error for g in category.groups] == [D(0), D(-2000)] and category.bias == D(-1000)


def test_weeks_before_the_end() -> None:
    assert weeks_before(END, at(31)) == 0
    assert weeks_before(END, at(24)) == 1
    assert weeks_before(END, datetime(2027, 1, 2, tzinfo=UTC)) == 0
