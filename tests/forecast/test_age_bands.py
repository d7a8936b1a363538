"""Cycle-length in aggregate: summing creation weeks in age bands gives what summing them week by week gives."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from services.forecast.domain.ages import age_bands
from services.forecast.domain.deals import DealChange
from services.forecast.domain.methods import Context, GroupRows, group_rows
from services.forecast.domain.methods import figures as figures_of
from services.forecast.domain.periods import day_number
from services.forecast.domain.transitions import Book

pytestmark = pytest.mark.unit
D = Decimal
TODAY = date(2026, 5, 1)  # a Friday


def book_of(created: dict[str, tuple[str, date]]) -> Book:
    book = Book()
    for deal_id, (amount, day) in created.items():
        book.take(DealChange("created", deal_id, 1, dict(
            owner_id="rep-1", amount=D(amount), currency="USD", pipeline_id="p1", stage_id="s1", probability=10,
            category="pipeline", expected_close_date=date(2026, 6, 15),
            created_at=datetime(day.year, day.month, day.day, tzinfo=UTC))))
    return book


def banded(rows: GroupRows, today: date, cycle: Decimal) -> GroupRows:
    bands, out = age_bands(today, cycle, D("0.95")), GroupRows()
    for week, (amount, amount_days) in rows.ages.items():
        a, ad = out.ages.get(bands.band_of(week), (D(0), D(0)))
        out.ages[bands.band_of(week)] = (a + amount, ad + amount_days)
    return out


def test_bands_by_hand() -> None:
    book = book_of({
        "young": ("1000.00", date(2026, 4, 6)),  # 25 days old: 25/100 × 1,000 = 250
        "old": ("2000.00", date(2025, 12, 1)),  # 151 days: capped, 95% × 2,000 = 1,900
        "this-week": ("3000.00", date(2026, 4, 29)),  # 2 days: 2/100 × 3,000 = 60
        "future": ("4000.00", date(2026, 5, 5)),  # not created yet by today's clock: 0
        "edge": ("1000.00", date(2026, 1, 27)),  # 94 days: 940 (its week is at most 95 days old: linear)
    })
    rows = group_rows(book.records(["2026-06"], "rep"))[("rep-1", "USD")]
    ctx = Context({}, D(100), day_number(TODAY))
    assert figures_of(rows, ctx).cycle_length == D("3150")  # 250 + 1,900 + 60 + 0 + 940
    assert figures_of(banded(rows, TODAY, D(100)), ctx).cycle_length == D("3150")
    assert set(banded(rows, TODAY, D(100)).ages) == {"young", "old", "future", "2026-04-27"}


@pytest.mark.parametrize("cycle", [D(5), D(37), D("82.5"), D(400)])
def test_bands_equal_week_by_week_sums(cycle: Decimal) -> None:
    days = [date.fromordinal(TODAY.toordinal() - n) for n in range(-10, 300, 3)]
    book = book_of({f"d{i}": (f"{1000 + 37 * i}.00", day) for i, day in enumerate(days)})
    rows = group_rows(book.records(["2026-06"], "rep"))[("rep-1", "USD")]
    ctx = Context({}, cycle, day_number(TODAY))
    week_by_week = figures_of(rows, ctx).cycle_length
    assert figures_of(banded(rows, TODAY, cycle), ctx).cycle_length.quantize(D("0.0001")) == \
        week_by_week.quantize(D("0.0001"))
