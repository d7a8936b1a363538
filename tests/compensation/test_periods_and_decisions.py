"""Periods, and whom a deal credits."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from services.compensation.domain import deals
from services.compensation.domain.periods import first_open, kind_of, next_period, period_of
from shared.errors import InvalidInput

pytestmark = pytest.mark.unit
SPLITS = (("rep-1", D(60)), ("rep-2", D(40)))


def test_periods() -> None:
    day = date(2026, 11, 10)
    assert [period_of(day, k) for k in ("month", "quarter", "year")] == ["2026-11", "2026-Q4", "2026"]
    assert [next_period(p) for p in ("2026-12", "2026-11", "2026-Q4", "2026-Q1", "2026")] == [
        "2027-01", "2026-12", "2027-Q1", "2026-Q2", "2027"]
    assert first_open("2026-10", {"2026-10", "2026-11"}) == "2026-12"
    with pytest.raises(InvalidInput):
        kind_of("2026-13")


def test_credit_follows_the_owner_only_when_the_deal_has_no_explicit_splits() -> None:
    assert deals.splits_or_owner((), "rep-9") == (("rep-9", D(100)),)
    assert deals.moved_owner((("rep-1", D(100)),), "rep-1", "rep-2") == (("rep-2", D(100)),)
    assert deals.moved_owner(SPLITS, "rep-1", "rep-3") == SPLITS  # explicit 60/40 splits stay
