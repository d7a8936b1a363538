"""The weighted round robin: deterministic, fair within one lead of each weight, skipping inactive and full
reps, and the fallback chain (matched territory → parents → default → nobody)."""
from __future__ import annotations

from collections import Counter

import pytest

from services.territory.domain.matching import Match
from services.territory.domain.routing import Rotation, pick_rep, route
from services.territory.domain.territories import Rep, Territory

pytestmark = pytest.mark.unit


def _rep(rep_id: str, capacity: int, active: bool = True) -> Rep:
    return Rep(rep_id, rep_id, f"{rep_id}@example.com", None, active, capacity)


def _run(weights: dict[str, int], leads: int, rotation: Rotation | None = None) -> list[str]:
    picks, rotation = [], dict(rotation or {})
    for _ in range(leads):
        pick = pick_rep(weights, rotation)
        assert pick is not None
        picks.append(pick.rep_id)
        rotation = pick.rotation
    return picks


def test_weights_3_2_1_give_the_smooth_order() -> None:
    # counters +3/+2/+1 per lead, the winner gives back 6: a(3,2,1→-3) b(0,4,2→-2) a(3,0,3→-3) c(0,2,4→-2)
    # b(3,4,-1→-2) a(6,0,0→0): a b a c b a, then it repeats.
    assert _run({"a": 3, "b": 2, "c": 1}, 12) == ["a", "b", "a", "c", "b", "a"] * 2


def test_every_prefix_stays_within_one_lead_of_its_weight() -> None:
    weights = {"ana": 7, "bo": 3, "cy": 2, "dee": 1}  # total 13
    picks = _run(weights, 1300)
    for n in range(1, len(picks) + 1):
        counts = Counter(picks[:n])
        for rep, weight in weights.items():
            assert abs(counts[rep] - n * weight / 13) < 1, (n, rep)
    assert Counter(picks) == {"ana": 700, "bo": 300, "cy": 200, "dee": 100}  # 1300 x 7/13, 3/13, 2/13, 1/13


def test_a_resumed_rotation_continues_where_it_was() -> None:
    weights = {"a": 2, "b": 1}
    whole = _run(weights, 6)
    first = pick_rep(weights, {})
    assert first is not None
    assert [first.rep_id, *_run(weights, 5, first.rotation)] == whole  # stored counters: same order


def test_inactive_and_full_reps_are_skipped_and_the_chain_falls_back() -> None:
    reps = {"ana": _rep("ana", 2), "bo": _rep("bo", 3, active=False), "cy": _rep("cy", 4), "dee": _rep("dee", 1)}
    territories = {
        "emea": Territory("emea", "EMEA", None, 0, (), ("cy",)),
        "de": Territory("de", "Germany", "emea", 0, (), ("ana", "bo")),
        "rest": Territory("rest", "Rest", None, 0, (), ("dee",), is_default=True),
    }
    match = Match("de", 0, "matched rule 0 of territory de")
    taken = route(match, territories, reps, {"ana": 1}, {})
    assert (taken.territory_id, taken.rep_id) == ("de", "ana")  # bo inactive; ana 1 of 2
    parent = route(match, territories, reps, {"ana": 2}, {})
    assert (parent.territory_id, parent.rep_id) == ("emea", "cy")
    assert parent.reason == "matched rule 0 of territory de; no free rep there, fell back to emea"
    default = route(match, territories, reps, {"ana": 2, "cy": 4}, {})
    assert (default.territory_id, default.rep_id) == ("rest", "dee")
    nobody = route(match, territories, reps, {"ana": 2, "cy": 4, "dee": 1}, {})
    assert (nobody.territory_id, nobody.rep_id) == ("de", None)
    assert nobody.reason.endswith("no active rep below capacity in de, emea, rest")
    unmatched = route(None, territories, reps, {}, {})
    assert (unmatched.territory_id, unmatched.rep_id) == (None, None)


def test_a_membership_change_keeps_the_others_turns() -> None:
    # a and b at weight 1 after one lead: a -1, b +1 (b is next). c joins at weight 1:
    # counters a 0, b 2, c 1 → b takes it (not a again, not the newcomer) and gives back 3 → b -1.
    after_one = pick_rep({"a": 1, "b": 1}, {})
    assert after_one is not None and after_one.rep_id == "a" and after_one.rotation == {"a": -1, "b": 1}
    joined = pick_rep({"a": 1, "b": 1, "c": 1}, after_one.rotation)
    assert joined is not None and joined.rep_id == "b"
    assert joined.rotation == {"a": 0, "b": -1, "c": 1}
    # b leaves: its counter is kept as it was, a and c go on (a 1, c 2 → c).
    left = pick_rep({"a": 1, "c": 1}, joined.rotation)
    assert left is not None and left.rep_id == "c" and left.rotation == {"a": 1, "b": -1, "c": 0}
