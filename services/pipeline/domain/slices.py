"""Which slice of the summary rows an analytics question reads, and whether the caller may read it.

A slice is `all`, `team:<id>`, `rep:<id>` or `territory:<id>`. One at most is asked for; a rep reads their own
figures, a manager their teams' (sub-teams included) and those teams' reps'; admin and ops read any.
"""
from __future__ import annotations

from collections.abc import Iterable

from shared.errors import ForbiddenError, InvalidInput
from shared.visibility import Scope

Slice = tuple[str, str | None]  # (kind, id)


def asked_slice(team_id: str | None, rep_id: str | None, territory_id: str | None) -> Slice | None:
    given = (("team", team_id), ("rep", rep_id), ("territory", territory_id))
    asked = [(kind, value) for kind, value in given if value]
    if len(asked) > 1:
        raise InvalidInput(asked[1][0] + "_id", "ask for one of team_id, rep_id or territory_id")
    return asked[0] if asked else None


def own_slice(scope: Scope) -> Slice:
    """What a caller who sees only part of the figures reads when they ask for nothing: their first team's, or
    their own."""
    return ("team", sorted(scope.team_ids)[0]) if scope.team_ids else ("rep", scope.rep_id)


def check_may_read(scope: Scope, asked: Slice, rep_team: str | None = None) -> None:
    """`rep_team`: the team of the rep asked for (a manager reads their teams' reps)."""
    if scope.everything:
        return
    kind, value = asked
    allowed = ((kind == "rep" and value == scope.rep_id) or (kind == "team" and value in scope.team_ids)
               or (kind == "rep" and rep_team in scope.team_ids))
    if not allowed:
        raise ForbiddenError("a rep reads their own figures, a manager their teams'")


def name_of(asked: Slice | None) -> str:
    return "all" if asked is None else f"{asked[0]}:{asked[1]}"


def slices_of(scope_name: str, teams_below: Iterable[str]) -> list[str]:
    """The summary slices a scope sums: a team's own and every sub-team's (`teams_below` includes the team)."""
    if not scope_name.startswith("team:"):
        return [scope_name]
    return sorted(f"team:{t}" for t in teams_below)
