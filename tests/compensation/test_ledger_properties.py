"""Properties of the ledger: redelivery and replay never change totals; totals are the sum of lines."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.compensation.domain.plans import parse_terms
from tests.compensation.fakes import Fact, FakeLedger

pytestmark = pytest.mark.unit

TERMS = parse_terms({"currency": "USD", "cap_per_deal": "9000", "components": [
    {"kind": "tiers", "name": "quota", "mode": "marginal",
     "tiers": [{"from": "0", "rate": "0.10"}, {"from": "100", "rate": "0.15"}]},
    {"kind": "spif", "name": "big", "amount": "333.33", "criteria": {"min_amount": "50000"}}]})
RETRO = parse_terms({"currency": "USD", "components": [{"kind": "tiers", "mode": "retroactive",
                     "tiers": [{"from": "0", "rate": "0.07"}, {"from": "50", "rate": "0.11"}]}]})

amounts = st.decimals(min_value=D("0.01"), max_value=D("200000"), places=2)
splits = st.sampled_from([(("ana", D(100)),), (("ana", D(60)), ("bo", D(40))),
                          (("bo", D("33.33")), ("ana", D("66.67")))])
facts = st.lists(st.tuples(st.sampled_from(["won", "reopened", "changed"]), st.sampled_from(["d1", "d2", "d3"]),
                           amounts, splits), max_size=25)


def _facts(raw: list) -> list[Fact]:
    return [Fact(f"e{i}", kind, deal, amount, split) for i, (kind, deal, amount, split) in enumerate(raw)]


@settings(max_examples=150, deadline=None)
@given(raw=facts, terms=st.sampled_from([TERMS, RETRO]), repeat=st.lists(st.integers(0, 24), max_size=10))
def test_redelivered_events_never_change_totals(raw: list, terms: object, repeat: list[int]) -> None:
    events = _facts(raw)
    once, twice = FakeLedger(terms, D("100000")), FakeLedger(terms, D("100000"))  # type: ignore[arg-type]
    for e in events:
        once.apply(e)
    for i, e in enumerate(events):
        twice.apply(e)
        for j in repeat:  # an earlier event arrives again, after later ones
            if j <= i:
                twice.apply(events[j])
    assert twice.totals() == once.totals()
    assert len(twice.lines) == len(once.lines)


@settings(max_examples=150, deadline=None)
@given(raw=facts, terms=st.sampled_from([TERMS, RETRO]))
def test_replay_gives_the_same_ledger_and_totals_are_the_sum_of_lines(raw: list, terms: object) -> None:
    events = _facts(raw)
    first, replay = FakeLedger(terms, D("100000")), FakeLedger(terms, D("100000"))  # type: ignore[arg-type]
    for e in events:
        first.apply(e)
    for e in events:
        replay.apply(e)
    assert replay.lines == first.lines
    assert sum(first.totals().values(), D(0)) == first.total() == sum((x.amount for _, _, x in first.lines), D(0))
    assert all(x.amount == x.amount.quantize(D("0.01")) for _, _, x in first.lines)


@settings(max_examples=100, deadline=None)
@given(raw=facts)
def test_the_same_won_fact_under_a_new_event_id_pays_once(raw: list) -> None:
    ledger = FakeLedger(TERMS, D("100000"))
    for e in _facts(raw):
        ledger.apply(e)
        before = ledger.totals()
        if e.kind == "won":
            ledger.apply(Fact(e.event_id + "-again", "won", e.deal_id, e.amount, e.splits))
            assert ledger.totals() == before


@settings(max_examples=100, deadline=None)
@given(raw=facts)
def test_reopening_every_deal_nets_the_ledger_to_zero(raw: list) -> None:
    ledger = FakeLedger(TERMS, D("100000"))
    for e in _facts(raw):
        ledger.apply(e)
    for deal in ("d1", "d2", "d3"):
        ledger.apply(Fact(f"close-out-{deal}", "reopened", deal))
    assert ledger.total() == D("0.00")
