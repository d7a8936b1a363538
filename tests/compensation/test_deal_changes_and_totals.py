"""Pure rules moved out of handlers and routes: how a change applies to a won deal, and a statement's totals."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from services.compensation.domain.deals import DealChange, DealFacts, apply_change
from services.compensation.domain.statements import grand_total, totals_by_component

pytestmark = pytest.mark.unit
WON = DealFacts("won", D("80000.00"), "USD", (("rep-1", D(100)),))


def test_a_new_owner_takes_a_deal_credited_wholly_to_the_old_one() -> None:
    assert apply_change(WON, "rep-1", DealChange(owner_id="rep-2")) == (
        DealFacts("won", D("80000.00"), "USD", (("rep-2", D(100)),)), "rep-2")


def test_explicit_splits_stay_when_the_owner_changes() -> None:
    split = DealFacts("won", D("80000.00"), "USD", (("rep-1", D(60)), ("rep-3", D(40))))
    assert apply_change(split, "rep-1", DealChange(owner_id="rep-2")) == (split, "rep-2")


def test_given_figures_replace_the_known_ones_and_the_rest_stay() -> None:
    change = DealChange(amount=D("0.00"), currency="EUR", splits=(("rep-4", D(100)),))
    assert apply_change(WON, "rep-1", change) == (
        DealFacts("won", D("0.00"), "EUR", (("rep-4", D(100)),)), "rep-1")  # a zero amount is a change too
    assert apply_change(WON, "rep-1", DealChange()) == (WON, "rep-1")


def test_totals_by_component_in_the_order_met() -> None:
    lines = [("quota", D("10000.00")), ("spif", D("300.00")), ("quota", D("3000.00")), ("quota", D("-500.00"))]
    assert list(totals_by_component(lines).items()) == [("quota", D("12500.00")), ("spif", D("300.00"))]
    assert grand_total(a for _, a in lines) == D("12800.00") and grand_total([]) == D("0.00")
