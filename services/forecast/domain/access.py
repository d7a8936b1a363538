"""Whose forecast a caller may see, under shared.visibility's one rule: admin, ops and integration everyone's;
a manager their teams' and every team below them (and their reps); a rep their own."""
from __future__ import annotations

from services.forecast.domain.report import Organisation
from shared.errors import FieldError, ForbiddenError
from shared.visibility import Scope


def visible_groups(scope: Scope, manager: bool, group_by: str, org: Organisation) -> set[str] | None:
    """The groups the caller may see (None: all of them). `manager`: the caller holds the manager role."""
    if scope.everything:
        return None
    if manager and group_by in ("rep", "team"):
        if group_by == "team":
            return set(scope.team_ids)
        return org.reps_in(set(scope.team_ids)) | ({scope.rep_id} if scope.rep_id else set())
    if scope.rep_id and group_by == "rep":
        return {scope.rep_id}
    raise ForbiddenError("a rep sees their own forecast and a manager their teams': group by rep or team",
                         [FieldError("group_by", f"{group_by} is for ops and admin")])


def may_see_rep(scope: Scope, rep_id: str, org: Organisation) -> bool:
    return scope.admits(rep_id, org.team_of.get(rep_id))
