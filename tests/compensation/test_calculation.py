"""The commission arithmetic, each figure computed by hand in the comment beside it."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from services.compensation.domain.calculation import DealShare, Standing, calculate, reversal, total
from services.compensation.domain.plans import parse_terms
from shared.errors import InvalidInput

pytestmark = pytest.mark.unit
DAY = date(2026, 11, 10)

WORKED = parse_terms({"currency": "USD", "period_kind": "quarter", "components": [
    {"kind": "tiers", "name": "quota", "mode": "marginal",
     "tiers": [{"from": "0", "rate": "0.10"}, {"from": "100", "rate": "0.15"}]}]})


def share(base: str, deal_id: str = "d", percent: str = "100", **kw: object) -> DealShare:
    return DealShare(deal_id, "rep-1", kw.pop("closed_on", DAY), D(kw.pop("deal_amount", base)),  # type: ignore
                     D(percent), D(base), **kw)  # type: ignore[arg-type]


def test_the_worked_example_marginal_tiers_and_the_reopen() -> None:
    quota = D("100000")
    first = calculate(WORKED, share("80000.00"), Standing(D(0), quota))
    # 80,000 all below 100% of 100,000: 80,000 × 10% = 8,000.00
    assert [(x.base, x.rate, x.amount, x.tier) for x in first] == [(D("80000.00"), D("0.10"), D("8000.00"), "0-100%")]
    assert (first[0].attainment_before, first[0].attainment_after) == (D("0"), D("80"))
    second = calculate(WORKED, share("40000.00"), Standing(D("80000"), quota))
    # 80,000→100,000 at 10% = 2,000.00; 100,000→120,000 at 15% = 3,000.00; together 5,000.00
    assert [(x.base, x.amount, x.tier) for x in second] == [
        (D("20000.00"), D("2000.00"), "0-100%"), (D("20000.00"), D("3000.00"), "100%+")]
    assert total(second) == D("5000.00")
    assert [(x.attainment_before, x.attainment_after) for x in second] == [(D(80), D(100)), (D(100), D(120))]
    # the 40,000 deal reopened: −2,000 and −3,000, −5,000.00 in all
    assert total(reversal(second)) == D("-5000.00")
    assert total(first) + total(second) + total(reversal(second)) == D("8000.00")


def test_retroactive_tiers_true_up_what_was_credited_before() -> None:
    terms = parse_terms({"currency": "USD", "components": [{"kind": "tiers", "name": "quota", "mode": "retroactive",
                        "tiers": [{"from": "0", "rate": "0.10"}, {"from": "100", "rate": "0.15"}]}]})
    quota = D("100000")
    assert total(calculate(terms, share("80000.00"), Standing(D(0), quota))) == D("8000.00")  # 80,000 × 10%
    lines = calculate(terms, share("40000.00"), Standing(D("80000"), quota))
    # attainment 120% reached: the deal at 15% = 6,000.00; the 80,000 before trued up by 5% = 4,000.00
    assert [(x.component, x.base, x.rate, x.amount) for x in lines] == [
        ("quota", D("40000.00"), D("0.15"), D("6000.00")),
        ("quota:true_up", D("80000.00"), D("0.05"), D("4000.00"))]
    # 8,000 + 6,000 + 4,000 = 18,000 = 120,000 × 15%: the whole period at the tier reached
    assert D("8000.00") + total(lines) == D("120000") * D("0.15")


def test_retroactive_without_crossing_a_tier_has_no_true_up() -> None:
    terms = parse_terms({"currency": "USD", "components": [{"kind": "tiers", "mode": "retroactive",
                        "tiers": [{"from": "0", "rate": "0.10"}, {"from": "100", "rate": "0.15"}]}]})
    lines = calculate(terms, share("10000.00"), Standing(D("20000"), D("100000")))
    assert [(x.kind, x.amount) for x in lines] == [("commission", D("1000.00"))]  # 10,000 × 10%


def test_accelerator_and_decelerator_multiply_the_base_rate() -> None:
    terms = parse_terms({"currency": "USD", "components": [{"kind": "accelerator", "name": "acc", "rate": "0.10",
                        "bands": [{"from": "0", "multiplier": "0.5"}, {"from": "50", "multiplier": "1"},
                                  {"from": "100", "multiplier": "2"}]}]})
    lines = calculate(terms, share("120000.00"), Standing(D(0), D("100000")))
    # 0→50,000 at 5% = 2,500; 50,000→100,000 at 10% = 5,000; 100,000→120,000 at 20% = 4,000
    assert [(x.base, x.rate, x.amount) for x in lines] == [
        (D("50000.00"), D("0.050"), D("2500.00")), (D("50000.00"), D("0.10"), D("5000.00")),
        (D("20000.00"), D("0.20"), D("4000.00"))]
    assert total(lines) == D("11500.00")


def test_flat_rate_rounds_each_line_half_even() -> None:
    terms = parse_terms({"currency": "USD", "components": [{"kind": "rate", "name": "flat", "rate": "0.05"}]})
    # 100.50 × 5% = 5.025 → 5.02 (half to even); 100.70 × 5% = 5.035 → 5.04
    assert calculate(terms, share("100.50"), Standing(D(0), None))[0].amount == D("5.02")
    assert calculate(terms, share("100.70"), Standing(D(0), None))[0].amount == D("5.04")


def test_cap_per_deal_and_per_period() -> None:
    terms = parse_terms({"currency": "USD", "cap_per_deal": "5000", "cap_per_period": "12000",
                         "components": [{"kind": "rate", "name": "flat", "rate": "0.10"}]})
    lines = calculate(terms, share("80000.00"), Standing(D(0), None))
    # 8,000 earned, capped at 5,000 per deal: a cap line of −3,000
    assert [(x.component, x.amount) for x in lines] == [("flat", D("8000.00")), ("cap_per_deal", D("-3000.00"))]
    lines = calculate(terms, share("30000.00"), Standing(D(0), None, paid_in_period=D("10000.00")))
    # 3,000 earned but only 12,000 − 10,000 = 2,000 of room left in the period: −1,000
    assert [(x.component, x.amount) for x in lines] == [("flat", D("3000.00")), ("cap_per_period", D("-1000.00"))]
    assert total(lines) == D("2000.00")
    full = calculate(terms, share("30000.00"), Standing(D(0), None, paid_in_period=D("12000.00")))
    assert total(full) == D("0.00")  # the period is full: 3,000 − 3,000


def test_spifs_pay_fixed_or_rate_for_deals_matching_criteria() -> None:
    terms = parse_terms({"currency": "USD", "components": [
        {"kind": "rate", "name": "flat", "rate": "0.10"},
        {"kind": "spif", "name": "big_new_logo", "amount": "1000",
         "criteria": {"min_amount": "50000", "new_logo": True}},
        {"kind": "spif", "name": "widget_push", "rate": "0.02",
         "criteria": {"product": "widget", "starts_on": "2026-11-01", "ends_on": "2026-11-30"}}]})
    lines = calculate(terms, share("24000.00", percent="40", deal_amount="60000.00", new_logo=True,
                                   products=frozenset({"widget"})), Standing(D(0), None))
    # flat 24,000 × 10% = 2,400; fixed 1,000 × 40% = 400; widget 24,000 × 2% = 480
    assert [(x.component, x.amount) for x in lines] == [
        ("flat", D("2400.00")), ("big_new_logo", D("400.00")), ("widget_push", D("480.00"))]
    miss = calculate(terms, share("24000.00", percent="40", deal_amount="40000.00", new_logo=True,
                                  products=frozenset({"widget"}), closed_on=date(2026, 12, 1)), Standing(D(0), None))
    # 40,000 under the 50,000 minimum; 1 December is outside the widget window: only the flat line
    assert [x.component for x in miss] == ["flat"]


def test_a_split_share_counts_toward_the_reps_own_attainment() -> None:
    # rep with 40% of a 150,000 deal: base 60,000, at 60,000 credited of a 100,000 quota → 120%
    rep_share = share("60000.00", percent="40", deal_amount="150000.00")
    lines = calculate(WORKED, rep_share, Standing(D("60000"), D("100000")))
    # 60,000→100,000 at 10% = 4,000; 100,000→120,000 at 15% = 3,000
    assert [x.amount for x in lines] == [D("4000.00"), D("3000.00")]
    assert lines[-1].attainment_after == D("120")


@pytest.mark.parametrize(("terms", "field"), [
    ({"components": []}, "components"),
    ({"components": [{"kind": "bonus"}]}, "components[0].kind"),
    ({"components": [{"kind": "rate", "rate": 0.1}]}, "components[0].rate"),
    ({"components": [{"kind": "rate", "rate": "-1"}]}, "components[0].rate"),
    ({"components": [{"kind": "tiers", "tiers": [{"from": "10", "rate": "0.1"}]}]}, "components[0].tiers[0].from"),
    ({"components": [{"kind": "tiers", "tiers": [{"from": "0", "rate": "0.1"}, {"from": "0", "rate": "0.2"}]}]},
     "components[0].tiers"),
    ({"components": [{"kind": "spif", "amount": "1", "rate": "0.1"}]}, "components[0].amount"),
    ({"period_kind": "week", "components": [{"kind": "rate", "rate": "0.1"}]}, "period_kind"),
])
def test_bad_terms_name_the_field(terms: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_terms({"currency": "USD", **terms})
    assert err.value.errors[0].field == field


def test_what_if_recomputes_a_period_under_draft_terms() -> None:
    from datetime import UTC, datetime

    from services.compensation.domain.recalculation import Credit
    from services.compensation.domain.simulation import simulate
    at = datetime(2026, 11, 10, tzinfo=UTC)
    credits = [Credit(share("80000.00", "d-80"), at, "ae", 1, WORKED),
               Credit(share("40000.00", "d-40"), at.replace(hour=1), "ae", 1, WORKED)]
    draft = parse_terms({"currency": "USD", "components": [{"kind": "tiers", "mode": "marginal",
                         "tiers": [{"from": "0", "rate": "0.10"}, {"from": "100", "rate": "0.20"}]}]})
    [outcome] = simulate(draft, {"rep-1": credits}, {"rep-1": D("100000")}, {"rep-1": D("13000.00")})
    # today 8,000 + 5,000 = 13,000; draft: 100,000 at 10% = 10,000 + 20,000 at 20% = 4,000 → 14,000
    assert (outcome.current, outcome.simulated, outcome.difference) == (D("13000.00"), D("14000.00"), D("1000.00"))


def test_inquiries_resolve_once_with_an_adjustment_or_a_reason() -> None:
    from services.compensation.domain.inquiries import resolve
    from shared.errors import ConflictError
    adjusted = resolve("open", "adjust", D("-150.00"), "double-counted split")
    assert adjusted.status == "adjusted" and adjusted.line is not None and adjusted.line.amount == D("-150.00")
    assert resolve("open", "reject", None, "the plan pays on booked amount").line is None
    with pytest.raises(InvalidInput):
        resolve("open", "reject", None, "  ")
    with pytest.raises(InvalidInput):
        resolve("open", "adjust", D("1.001"), "x")
    with pytest.raises(ConflictError):
        resolve("rejected", "adjust", D("10.00"), "again")
