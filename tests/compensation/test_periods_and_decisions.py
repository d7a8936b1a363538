"""Periods and what each deal event means for a deal the ledger already knows."""
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


def test_won_pays_once_and_a_changed_fact_recredits() -> None:
    won = deals.DealFacts("won", D("80000.00"), "USD", SPLITS)
    assert deals.on_won(None, D("80000.00"), "USD", SPLITS) == "credit"
    assert deals.on_won(won, D("80000"), "USD", (("rep-1", D("60.00")), ("rep-2", D(40)))) == "nothing"
    assert deals.on_won(won, D("90000.00"), "USD", SPLITS) == "recredit"
    assert deals.on_won(deals.DealFacts("open", D(1), "USD", ()), D(1), "USD", ()) == "credit"


def test_reopen_or_lost_reverses_only_a_won_deal() -> None:
    assert deals.on_unwon(deals.DealFacts("won", D(1), "USD", ())) == "reverse"
    assert deals.on_unwon(deals.DealFacts("open", D(1), "USD", ())) == "nothing"
    assert deals.on_unwon(None) == "nothing"


def test_amount_change_on_a_won_deal_recredits() -> None:
    won = deals.DealFacts("won", D("80000.00"), "USD", SPLITS)
    assert deals.on_changed(won, D("70000.00"), None, None) == "recredit"
    assert deals.on_changed(won, D("80000.00"), "USD", None) == "nothing"
    assert deals.on_changed(won, None, None, (("rep-1", D(100)),)) == "recredit"
    assert deals.on_changed(deals.DealFacts("open", D(1), "USD", ()), D(5), None, None) == "nothing"
    assert deals.splits_or_owner((), "rep-9") == (("rep-9", D(100)),)
