"""Rule validation and evaluation, and matching: priority, specificity, id, default; index == naive scan."""
from __future__ import annotations

import random
from decimal import Decimal

import pytest

from services.territory.domain.matching import TerritoryIndex, naive_match
from services.territory.domain.rules import lead_profile, parse_rules
from services.territory.domain.territories import Territory, check_no_cycle
from shared.errors import InvalidInput

pytestmark = pytest.mark.unit


def _t(tid: str, priority: int, *rules: list[dict], default: bool = False) -> Territory:
    return Territory(tid, tid, None, priority, parse_rules([{"conditions": r} for r in rules]), is_default=default)


def c(field: str, op: str, value: object) -> dict:
    return {"field": field, "op": op, "value": value}


def test_conditions_compare_text_case_insensitively_and_numbers_exactly() -> None:
    (rule,) = parse_rules([{"conditions": [c("country", "in", ["US", "ca"]), c("postal_code", "prefix", "94"),
                                           c("annual_revenue", "range", {"min": "1000000.50", "max": None})]}])
    lead = lead_profile({"country": "Us", "postal_code": "94107", "annual_revenue": "1000000.50"})
    assert rule.holds(lead)  # min is inclusive: 1,000,000.50 >= 1,000,000.50
    assert not rule.holds({**lead, "annual_revenue": Decimal("1000000.49")})
    assert not rule.holds({**lead, "postal_code": "10001"})
    assert not rule.holds({k: v for k, v in lead.items() if k != "country"})  # a missing field never matches


@pytest.mark.parametrize(("condition", "field", "message"), [
    (c("planet", "eq", "mars"), "rules[0].conditions[0].field", "unknown field 'planet'"),
    (c("country", "regex", "U.*"), "rules[0].conditions[0].op", "unknown op 'regex'"),
    (c("country", "range", {"min": 1}), "rules[0].conditions[0].op", "op 'range' does not apply to country"),
    (c("employee_count", "prefix", "1"), "rules[0].conditions[0].op", "op 'prefix' does not apply"),
    (c("employee_count", "range", {"min": 200, "max": 50}), "rules[0].conditions[0].value", "min 200 is above max 50"),
    (c("employee_count", "range", {"low": 1}), "rules[0].conditions[0].value", "needs {\"min\""),
    (c("annual_revenue", "eq", 12.5), "rules[0].conditions[0].value", "integer or a decimal string"),
    (c("industry", "in", []), "rules[0].conditions[0].value", "non-empty list"),
])
def test_invalid_conditions_name_the_field(condition: dict, field: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_rules([{"conditions": [condition]}])
    assert caught.value.errors[0].field == field and message in caught.value.errors[0].message


def test_a_parent_cycle_is_found_however_deep() -> None:
    parents = {"a": None, "b": "a", "c": "b"}
    check_no_cycle("d", "c", parents, "territory")  # d under c: fine
    with pytest.raises(InvalidInput, match="cycle"):
        check_no_cycle("a", "c", parents, "territory")  # a under c, which is under b, under a


def test_priority_then_specificity_then_id_decide_overlaps() -> None:
    lead = lead_profile({"country": "US", "industry": "Software", "employee_count": 50})
    broad = _t("broad", 5, [c("country", "eq", "us")])
    narrow = _t("narrow", 5, [c("country", "eq", "us"), c("industry", "eq", "software")])
    urgent = _t("urgent", 9, [c("employee_count", "range", {"max": 100})])
    twin = _t("a-twin", 5, [c("country", "eq", "us"), c("industry", "prefix", "soft")])
    for territories in ({"broad": broad, "narrow": narrow},
                        {"broad": broad, "narrow": narrow, "urgent": urgent},
                        {"broad": broad, "narrow": narrow, "a-twin": twin}):
        assert TerritoryIndex(territories).match(lead) == naive_match(lead, territories)
    assert TerritoryIndex({"broad": broad, "narrow": narrow}).match(lead).territory_id == "narrow"  # 2 conditions > 1
    assert TerritoryIndex({"broad": broad, "urgent": urgent}).match(lead).territory_id == "urgent"  # priority 9 > 5
    assert TerritoryIndex({"narrow": narrow, "a-twin": twin}).match(lead).territory_id == "a-twin"  # id a- < n


def test_any_rule_of_a_territory_may_match_and_the_default_catches_the_rest() -> None:
    dach = _t("dach", 0, [c("country", "eq", "de")], [c("country", "in", ["at", "ch"])])
    rest = _t("rest", -5, default=True)
    index = TerritoryIndex({"dach": dach, "rest": rest})
    found = index.match(lead_profile({"country": "CH"}))
    assert (found.territory_id, found.rule_index) == ("dach", 1)
    assert index.match(lead_profile({"country": "JP"})).territory_id == "rest"
    assert TerritoryIndex({"dach": dach}).match(lead_profile({"country": "JP"})) is None


def test_the_index_agrees_with_the_naive_scan_on_many_random_leads() -> None:
    rng = random.Random(7)
    countries, industries = ["us", "ca", "de", "fr", "gb"], ["software", "retail", "health", "finance"]
    territories = {}
    for i in range(200):
        conditions = [c("country", "in", rng.sample(countries, 2))]
        if rng.random() < 0.5:
            low = rng.randrange(0, 1000)
            conditions.append(c("employee_count", "range", {"min": low, "max": low + rng.randrange(1, 500)}))
        if rng.random() < 0.5:
            conditions.append(c("industry", "prefix", rng.choice(industries)[:3]))
        territories[f"t{i:03d}"] = _t(f"t{i:03d}", rng.randrange(3), conditions)
    index = TerritoryIndex(territories)
    for _ in range(500):
        lead = lead_profile({"country": rng.choice(countries), "industry": rng.choice(industries),
                             "employee_count": rng.randrange(0, 1600)})
        assert index.match(lead) == naive_match(lead, territories)
