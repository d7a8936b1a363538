"""The fold of one deal's events (domain.deals.fold_deal): each state the ledger credits, in order, hand-checked."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from services.compensation.domain.deals import Changed, Deal, DealChange, DealFacts, Unwon, Won, apply_event, fold_deal

pytestmark = pytest.mark.unit
AT = datetime(2026, 11, 10, 9, tzinfo=UTC)


def deal(status: str = "won", amount: str = "100.00", splits: tuple[tuple[str, D], ...] = (("ana", D(100)),),
         owner: str = "ana") -> Deal:
    return Deal("d-1", DealFacts(status, D(amount), "USD", splits), owner, AT, frozenset(), False)  # type: ignore


def test_a_win_counts_whatever_was_known_and_the_same_win_again_counts_too() -> None:
    assert fold_deal(None, [(Won(deal()), "c1"), (Won(deal()), "c2")]) == [(deal(), "c1"), (deal(), "c2")]


def test_unwinning_or_changing_a_deal_not_won_changes_nothing() -> None:
    changes = [(Unwon("open"), "a"), (Changed(DealChange(amount=D("5.00"))), "b"), (Unwon("lost"), "c")]
    assert fold_deal(None, changes) == []
    assert fold_deal(deal("open"), changes) == []
    assert fold_deal(deal("lost"), changes) == []


def test_a_change_that_changes_nothing_is_not_a_step() -> None:
    assert apply_event(deal(), Changed(DealChange(amount=D("100.00"), currency="USD"))) is None
    assert fold_deal(deal(), [(Changed(DealChange(owner_id="ana")), "x")]) == []


def test_a_deal_passes_through_each_state_in_order() -> None:
    events = [(Changed(DealChange(amount=D("150.00"))), 1),  # 100 -> 150
              (Changed(DealChange(owner_id="bo")), 2),  # wholly the owner's: follows the owner to bo
              (Unwon("open"), 3),  # reopened: not won any more, facts kept
              (Changed(DealChange(amount=D("999.00"))), 4),  # on a deal not won: nothing
              (Won(deal(amount="80.00", splits=(("ana", D(50)), ("bo", D(50))))), 5)]
    steps = fold_deal(deal(), events)
    assert [cause for _, cause in steps] == [1, 2, 3, 5]
    assert steps[0][0] == deal(amount="150.00")
    assert steps[1][0] == deal(amount="150.00", splits=(("bo", D(100)),), owner="bo")
    assert steps[2][0] == deal("open", amount="150.00", splits=(("bo", D(100)),), owner="bo")
    assert steps[3][0].facts == DealFacts("won", D("80.00"), "USD", (("ana", D(50)), ("bo", D(50))))


def test_explicit_splits_stay_when_the_owner_changes() -> None:
    split = deal(splits=(("ana", D(60)), ("bo", D(40))))
    [(after, _)] = fold_deal(split, [(Changed(DealChange(owner_id="cy")), "x")])
    assert after.owner_id == "cy" and after.facts.splits == (("ana", D(60)), ("bo", D(40)))
