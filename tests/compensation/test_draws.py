"""Draw settlement at period close, by hand."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from services.compensation.domain.draws import settle_draw

pytestmark = pytest.mark.unit


def test_recoverable_draw_is_advanced_then_recovered_from_later_commission() -> None:
    # period 1: earned 1,200 against a 3,000 draw → advance 1,800, owed 1,800
    first = settle_draw("recoverable", D("3000.00"), D("0.00"), D("1200.00"))
    assert [(x.component, x.amount) for x in first.lines] == [("draw_advance", D("1800.00"))]
    assert first.balance == D("1800.00")
    # period 2: earned 4,000: 1,000 above the draw, all of it recovered; 800 still owed; payout 3,000
    second = settle_draw("recoverable", D("3000.00"), first.balance, D("4000.00"))
    assert [(x.component, x.amount) for x in second.lines] == [("draw_recovery", D("-1000.00"))]
    assert second.balance == D("800.00")
    # period 3: earned 9,000: 6,000 above the draw, the remaining 800 recovered, nothing owed
    third = settle_draw("recoverable", D("3000.00"), second.balance, D("9000.00"))
    assert [x.amount for x in third.lines] == [D("-800.00")] and third.balance == D("0.00")


def test_guarantee_tops_up_and_is_never_recovered() -> None:
    low = settle_draw("guarantee", D("2500.00"), D("0.00"), D("1000.00"))
    assert [(x.component, x.amount) for x in low.lines] == [("draw_guarantee", D("1500.00"))]  # 2,500 − 1,000
    assert low.balance == D("0.00")
    assert settle_draw("guarantee", D("2500.00"), D("0.00"), D("7000.00")).lines == []
