"""Balance findings with their figures and suggested moves; the what-if re-match of open leads."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.territory.domain.balance import assess
from services.territory.domain.coverage import DealFact, LeadFact, period_bounds, territory_coverage
from services.territory.domain.rules import parse_rules
from services.territory.domain.simulation import propose, rematch
from services.territory.domain.territories import Rep, Territory
from shared.errors import InvalidInput

pytestmark = pytest.mark.unit
Q4 = period_bounds("2026-Q4")
REPS = {r: Rep(r, r, f"{r}@x", None, True, 50) for r in ("a", "b", "c", "d", "e")}


def _t(tid: str, members: tuple[str, ...], region: str | None = None, priority: int = 0) -> Territory:
    rules = parse_rules([{"conditions": [{"field": "region", "op": "eq", "value": region}]}]) if region else ()
    return Territory(tid, tid, None, priority, rules, members)


def _leads(tid: str, n: int, rep: str | None, region: str) -> list[LeadFact]:
    return [LeadFact(f"{tid}-{i}", tid, rep, True, profile={"region": region}) for i in range(n)]


def test_under_and_over_served_territories_with_a_suggested_rep_move() -> None:
    territories = {"hot": _t("hot", ("a",), "hot"), "mid": _t("mid", ("b",), "mid"),
                   "calm": _t("calm", ("c", "d"), "calm"), "orphan": _t("orphan", (), "orphan")}
    leads = (_leads("hot", 30, "a", "hot") + _leads("mid", 10, "b", "mid") + _leads("calm", 3, "c", "calm")
             + _leads("calm", 1, "d", "calm") + _leads("orphan", 2, None, "orphan"))
    figures = territory_coverage(territories, REPS, leads, [], {}, Q4, rollup=False)
    findings = {f.territory_id: f for f in assess(territories, figures, {"a": 30, "b": 10, "c": 3, "d": 1}, leads)}
    # loads per rep: hot 30/1 = 30, mid 10/1 = 10, calm 4/2 = 2 → median 10; hot > 15 under, calm < 5 over.
    assert set(findings) == {"hot", "calm", "orphan"}
    hot = findings["hot"]
    assert (hot.verdict, hot.load_per_rep, hot.median_load_per_rep) == ("under_served", Decimal("30.00"),
                                                                        Decimal("10.00"))
    assert hot.suggestion == "move rep d from calm (load 2.00) to hot"  # d holds 1 lead, c holds 3
    assert findings["calm"].verdict == "over_served"
    orphan = findings["orphan"]
    assert (orphan.verdict, orphan.why) == ("under_served", "2 open lead(s) and no active rep")


def test_without_slack_anywhere_the_busiest_rule_is_named() -> None:
    rules = parse_rules([{"conditions": [{"field": "region", "op": "eq", "value": "x"}]},
                         {"conditions": [{"field": "region", "op": "eq", "value": "y"}]}])
    territories = {"solo": Territory("solo", "solo", None, 0, rules, ()), "b": _t("b", ("b",), "b")}
    leads = _leads("solo", 1, None, "x") + _leads("solo", 3, None, "y") + _leads("b", 2, "b", "b")
    figures = territory_coverage(territories, REPS, leads, [], {}, Q4, rollup=False)
    (finding,) = assess(territories, figures, {"b": 2}, leads)
    assert finding.suggestion == "hand rule 1 of solo to a territory with slack, or add a rep"  # 3 leads on rule 1


def test_rematch_moves_only_leads_that_belong_elsewhere_and_their_deals_follow() -> None:
    current = {"west": _t("west", ("a",), "west"), "east": _t("east", ("b",), "east")}
    leads = _leads("west", 2, "a", "west") + _leads("east", 1, "b", "east")
    leads.append(LeadFact("closed", "west", "a", False, profile={"region": "east"}))  # closed: never moves
    deals = [DealFact("d1", "west", "a", Decimal("10.00"), "USD", "open", lead_id="west-1"),
             DealFact("d2", "west", "a", Decimal("99.00"), "USD", "won", datetime(2026, 11, 1, tzinfo=UTC),
                      lead_id="west-1")]
    proposed = propose(current, [_t("west", ("c", "d"), "west")], [], REPS)  # west's members replaced
    assert proposed["west"].version == 2
    new_leads, new_deals, moves = rematch(leads, deals, proposed, REPS)
    # equal weights 50/50 and a fresh rotation: c (tie → lower id), then d.
    assert [(m.lead_id, m.from_rep, m.to_rep) for m in moves] == [("west-0", "a", "c"), ("west-1", "a", "d")]
    assert {lead.lead_id: lead.rep_id for lead in new_leads}["east-0"] == "b"
    assert [d.territory_id for d in new_deals] == ["west", "west"]
    removed = propose(current, [], ["east"], REPS)
    _, deals_after, moves_after = rematch(leads, [DealFact("d3", "east", "b", Decimal(1), "USD", "open")],
                                          removed, REPS)
    assert [(m.lead_id, m.to_territory, m.to_rep) for m in moves_after] == [("east-0", None, None)]
    assert deals_after[0].territory_id is None  # its territory is gone and no lead carries it elsewhere


def test_a_proposal_is_validated_as_a_whole() -> None:
    current = {"west": _t("west", ("a",), "west")}
    with pytest.raises(InvalidInput, match="unknown rep"):
        propose(current, [_t("new", ("ghost",))], [], REPS)
    with pytest.raises(InvalidInput, match="does not exist"):
        propose(current, [], ["nowhere"], REPS)
    child = Territory("child", "child", "west", 0, (), ())
    with pytest.raises(InvalidInput, match="parent_id"):
        propose({**current, "child": child}, [], ["west"], REPS)  # removing a parent strands its child
