"""Who sees whose figures (shared/visibility.py): the teams under a manager's, and each role's scope."""
from __future__ import annotations

import pytest

from shared.http.auth import Principal
from shared.visibility import EVERYTHING, Scope, scope_of, teams_under

# root -> emea -> dach -> berlin, emea -> uk; root -> apac
ORG: dict[str, str | None] = {"root": None, "emea": "root", "apac": "root", "dach": "emea", "uk": "emea",
                              "berlin": "dach"}


def test_a_team_brings_every_team_below_it_and_nothing_beside_it() -> None:
    assert teams_under({"emea"}, ORG) == {"emea", "dach", "uk", "berlin"}
    assert teams_under({"dach", "apac"}, ORG) == {"dach", "berlin", "apac"}
    assert teams_under({"root"}, ORG) == set(ORG)
    assert teams_under({"berlin"}, ORG) == {"berlin"}
    assert teams_under((), ORG) == frozenset()


def test_a_deep_chain_is_followed_to_its_end() -> None:
    chain: dict[str, str | None] = {f"t{i}": (f"t{i - 1}" if i else None) for i in range(500)}
    assert teams_under({"t10"}, chain) == {f"t{i}" for i in range(10, 500)}  # 490 teams
    assert teams_under({"t499"}, chain) == {"t499"}


def test_a_cycle_in_the_parent_links_ends_the_walk() -> None:
    loop: dict[str, str | None] = {"a": "c", "b": "a", "c": "b", "d": "c"}
    assert teams_under({"a"}, loop) == {"a", "b", "c", "d"}
    assert teams_under({"d"}, loop) == {"d"}
    assert teams_under({"x"}, {"x": "x"}) == {"x"}  # its own parent


def test_an_unknown_team_is_itself_and_a_team_of_unknown_parent_hangs_below_it() -> None:
    assert teams_under({"nowhere"}, ORG) == {"nowhere"}
    assert teams_under({"ghost"}, {"orphan": "ghost", "other": None}) == {"ghost", "orphan"}
    assert teams_under({"emea"}, {}) == {"emea"}


@pytest.mark.parametrize("role", ["admin", "ops", "integration"])
def test_admin_ops_and_integration_see_everything(role: str) -> None:
    scope = scope_of(Principal(sub="x", roles=frozenset({role}), rep_id="r1", team_ids=frozenset({"uk"})), ORG)
    assert scope is EVERYTHING
    assert scope.admits("anyone", "apac") and scope.admits(None) and scope.admits_team(None)


def test_a_manager_sees_their_teams_with_all_below_and_their_own_work() -> None:
    scope = scope_of(Principal(sub="m", roles=frozenset({"manager"}), rep_id="m1", team_ids=frozenset({"emea"})), ORG)
    assert scope == Scope(rep_id="m1", team_ids=frozenset({"emea", "dach", "uk", "berlin"}))
    assert scope.admits("r9", "berlin") and scope.admits("m1") and scope.admits("m1", "apac")
    assert not scope.admits("r9", "apac") and not scope.admits("r9") and not scope.admits(None, "root")
    assert scope.admits_team("uk") and not scope.admits_team("root") and not scope.admits_team(None)


def test_a_manager_who_leads_no_team_sees_their_own_work_only() -> None:
    scope = scope_of(Principal(sub="m", roles=frozenset({"manager"}), rep_id="m1"), ORG)
    assert scope == Scope(rep_id="m1")


def test_a_rep_sees_their_own_work_even_when_the_token_lists_teams() -> None:
    scope = scope_of(Principal(sub="r", roles=frozenset({"rep"}), rep_id="r1", team_ids=frozenset({"emea"})), ORG)
    assert scope == Scope(rep_id="r1")
    assert scope.admits("r1", "apac") and not scope.admits("r2", "emea") and not scope.admits_team("emea")


def test_a_rep_who_also_manages_gets_the_managers_scope() -> None:
    who = Principal(sub="r", roles=frozenset({"rep", "manager"}), rep_id="r1", team_ids=frozenset({"dach"}))
    assert scope_of(who, ORG) == Scope(rep_id="r1", team_ids=frozenset({"dach", "berlin"}))


def test_a_caller_with_no_known_role_sees_nothing() -> None:
    scope = scope_of(Principal(sub="s", roles=frozenset({"auditor"}), team_ids=frozenset({"root"})), ORG)
    assert scope == Scope()
    assert not scope.admits(None) and not scope.admits("r1", "root") and not scope.admits_team("root")
