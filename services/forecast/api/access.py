"""Whose forecast a caller may see: admin, ops and integration everyone's; a manager their teams' (and the
teams below); a rep their own."""
from __future__ import annotations

from services.forecast.domain.report import Organisation
from shared.errors import FieldError, ForbiddenError
from shared.http.auth import Principal


def visible_groups(who: Principal, group_by: str, org: Organisation) -> set[str] | None:
    """The groups the caller may see (None: all of them)."""
    if who.sees_everything:
        return None
    if who.has_any("manager") and group_by in ("rep", "team"):
        teams = org.teams_under(who.team_ids)
        if group_by == "team":
            return teams
        return org.reps_in(teams) | ({who.rep_id} if who.rep_id else set())
    if who.rep_id and group_by == "rep":
        return {who.rep_id}
    raise ForbiddenError("a rep sees their own forecast and a manager their teams': group by rep or team",
                         [FieldError("group_by", f"{group_by} is for ops and admin")])


def may_see_rep(who: Principal, rep_id: str, org: Organisation) -> bool:
    if who.sees_everything or rep_id == who.rep_id:
        return True
    return who.has_any("manager") and rep_id in org.reps_in(org.teams_under(who.team_ids))
