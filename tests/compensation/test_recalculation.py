"""The recalculation in the domain: a rep-period from scratch, and the lines that make the ledger equal it.
Figures are worked by hand in the comments."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.compensation.domain.calculation import DealShare
from services.compensation.domain.plans import PlanTerms, parse_terms
from services.compensation.domain.recalculation import (
    Credit,
    LedgerLine,
    calculate_period,
    differences,
    period_total,
)

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 2, tzinfo=UTC)
MARGINAL = parse_terms({"currency": "USD", "components": [{"kind": "tiers", "name": "quota", "mode": "marginal",
                        "tiers": [{"from": "0", "rate": "0.10"}, {"from": "100", "rate": "0.15"}]}]})
RETRO = parse_terms({"currency": "USD", "cap_per_period": "12000", "components": [
    {"kind": "tiers", "name": "quota", "mode": "retroactive",
     "tiers": [{"from": "0", "rate": "0.07"}, {"from": "50", "rate": "0.11"}]},
    {"kind": "spif", "name": "big", "amount": "300.00", "criteria": {"min_amount": "50000"}}]})
QUOTA = D("100000")


def credit(deal: str, amount: str, hour: int, terms: PlanTerms = MARGINAL, percent: str = "100") -> Credit:
    base = D(amount) * D(percent) / 100
    share = DealShare(deal, "ana", T0.date(), D(amount), D(percent), base.quantize(D("0.01")))
    return Credit(share, T0 + timedelta(hours=hour), "p", 1, terms)


def test_the_period_is_calculated_in_close_order_whatever_order_it_is_given() -> None:
    a, b = credit("a", "80000.00", 1), credit("b", "40000.00", 2)
    lines = calculate_period([b, a], QUOTA)
    # a closed first: 80,000 × 10% = 8,000; b: 20,000 × 10% = 2,000 and 20,000 × 15% = 3,000
    assert [(x.deal_id, x.line.tier, x.line.amount) for x in lines] == [
        ("a", "0-100%", D("8000.00")), ("b", "0-100%", D("2000.00")), ("b", "100%+", D("3000.00"))]


def test_reopen_and_reclose_at_another_amount_appends_only_the_difference() -> None:
    paid = calculate_period([credit("a", "80000.00", 1), credit("b", "40000.00", 2)], QUOTA)  # 13,000
    # a reopened and closed again later at 60,000; then b's amount changed to 50,000:
    # b 50,000 × 10% = 5,000; a 50,000 × 10% = 5,000 and 10,000 × 15% = 1,500 → 11,500
    now = calculate_period([credit("b", "50000.00", 2), credit("a", "60000.00", 3)], QUOTA)
    appended = differences(now, paid, "recalculated")
    assert [(x.deal_id, x.line.tier, x.line.base, x.line.amount) for x in appended] == [
        ("b", "0-100%", D("30000.00"), D("3000.00")),  # b had 20,000 in the lower band, now 50,000
        ("a", "0-100%", D("-30000.00"), D("-3000.00")),  # a had 80,000 below 100%, now 50,000
        ("a", "100%+", D("10000.00"), D("1500.00")),  # and 10,000 above
        ("b", "100%+", D("-20000.00"), D("-3000.00")),  # b has none above 100% any more (listed last: dropped)
    ]
    assert period_total(paid) + period_total(appended) == period_total(now) == D("11500.00")
    assert all(x.line.reason == "recalculated" for x in appended)
    assert differences(now, [*paid, *appended], "again") == []  # nothing left to append


def test_retroactive_true_up_moves_to_the_deal_that_crosses() -> None:
    small, big = credit("s", "30000.00", 1, RETRO), credit("g", "40000.00", 2, RETRO)
    lines = calculate_period([small, big], QUOTA)
    # s: 30,000 at 7% = 2,100; g crosses 50%: 40,000 at 11% = 4,400, true-up 30,000 × 4% = 1,200; no SPIF (< 50,000)
    assert [(x.deal_id, x.line.kind, x.line.amount) for x in lines] == [
        ("s", "commission", D("2100.00")), ("g", "commission", D("4400.00")), ("g", "true_up", D("1200.00"))]


def test_a_period_cap_counts_the_deals_before() -> None:
    deals = [credit("a", "90000.00", 1, RETRO), credit("b", "60000.00", 2, RETRO)]
    lines = calculate_period(deals, QUOTA)
    # a: 90,000 at 11% (crosses 50% at once) = 9,900 + SPIF 300; b: 60,000 × 11% = 6,600 but the period cap of
    # 12,000 leaves 2,100 room: cap line −4,500; SPIF 300 outside the cap
    assert [(x.deal_id, x.line.kind, x.line.amount) for x in lines] == [
        ("a", "commission", D("9900.00")), ("a", "spif", D("300.00")),
        ("b", "commission", D("6600.00")), ("b", "cap", D("-4500.00")), ("b", "spif", D("300.00"))]


amounts = st.decimals(min_value=D("1000"), max_value=D("90000"), places=2)
states = st.lists(st.dictionaries(st.sampled_from("abcd"), st.tuples(amounts, st.integers(0, 9),
                                                                     st.sampled_from(["100", "60", "40"])),
                                  max_size=4), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(history=states, terms=st.sampled_from([MARGINAL, RETRO]))
def test_after_any_history_the_ledger_equals_the_final_calculation(history: list, terms: PlanTerms) -> None:
    """Each state is the period's credits after some change; the ledger appends differences at each one."""
    ledger: list[LedgerLine] = []
    for state in history:
        now = calculate_period([credit(d, str(a), h, terms, p) for d, (a, h, p) in state.items()], QUOTA)
        ledger += differences(now, ledger, "changed")
    final = calculate_period([credit(d, str(a), h, terms, p) for d, (a, h, p) in history[-1].items()], QUOTA)
    assert period_total(ledger) == period_total(final)
    assert differences(final, ledger, "check") == []  # equal per deal, component, kind and tier too
    assert all(x.line.amount == x.line.amount.quantize(D("0.01")) for x in ledger)
