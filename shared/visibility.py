"""Who may see whose figures: one rule, the same in every service.

Admin, ops and integration see everything. A manager sees the teams they lead and every team below them
(sub-teams included, however deep), and their own work; a rep sees their own. Each service keeps its own copy
of the organisation (from territory's events) and hands the parent links in; the rule does not change.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from shared.http.auth import Principal


@dataclass(frozen=True)
class Scope:
    """What one caller may see. `everything` or: their own rep id, and the teams they lead with all below."""

    everything: bool = False
    rep_id: str | None = None
    team_ids: frozenset[str] = field(default_factory=frozenset)

    def admits(self, rep_id: str | None, team_id: str | None = None) -> bool:
        """Whether work owned by `rep_id` (a member of `team_id`) is visible to the caller."""
        if self.everything:
            return True
        if rep_id is not None and rep_id == self.rep_id:
            return True
        return team_id is not None and team_id in self.team_ids

    def admits_team(self, team_id: str | None) -> bool:
        return self.everything or (team_id is not None and team_id in self.team_ids)


EVERYTHING = Scope(everything=True)


def teams_under(led: Iterable[str], parent_of: Mapping[str, str | None]) -> frozenset[str]:
    """The teams given and every team below them, from each team's parent link (cycles end the walk)."""
    children: dict[str, list[str]] = {}
    for team_id, parent in parent_of.items():
        if parent is not None:
            children.setdefault(parent, []).append(team_id)
    found: set[str] = set()
    waiting = list(led)
    while waiting:
        team_id = waiting.pop()
        if team_id not in found:
            found.add(team_id)
            waiting.extend(children.get(team_id, ()))
    return frozenset(found)


def scope_of(who: Principal, parent_of: Mapping[str, str | None]) -> Scope:
    """The caller's scope under the one rule: only a manager's led teams count (a rep's token may list them)."""
    if who.sees_everything:
        return EVERYTHING
    led = who.team_ids if who.has_any("manager") else frozenset()
    return Scope(rep_id=who.rep_id, team_ids=teams_under(led, parent_of) if led else frozenset())
