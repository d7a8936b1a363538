"""A forecast report: leaf figures (per rep, territory or company) grouped, rolled up and set against quota."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from services.forecast.domain.methods import Figures, empty_figures
from services.forecast.domain.rollup import ancestors, roll_up

GROUP_BYS = ("rep", "team", "territory", "company")
Leaf = tuple[str, str]  # (group, currency)


@dataclass(frozen=True)
class Organisation:
    team_of: Mapping[str, str | None] = field(default_factory=dict)  # rep → team
    team_parent: Mapping[str, str | None] = field(default_factory=dict)
    territory_parent: Mapping[str, str | None] = field(default_factory=dict)
    territory_reps: Mapping[str, list[str]] = field(default_factory=dict)

    def reps_in(self, team_ids: set[str]) -> set[str]:
        return {rep for rep, team in self.team_of.items() if team in team_ids}


@dataclass(frozen=True)
class Line:
    group: str
    currency: str
    figures: Figures
    quota: Decimal | None


def report(leaves: Mapping[Leaf, Figures], group_by: str, org: Organisation,
           quotas: Mapping[str, tuple[Decimal, str]]) -> list[Line]:
    """`leaves` come from the rep dimension for rep and team, else from the dimension itself."""
    by_currency: dict[str, dict[str, Figures]] = {}
    for (group, currency), figures in leaves.items():
        by_currency.setdefault(currency, {})[group] = figures
    if group_by in ("rep", "team"):  # a rep with a quota and no deals still has a row: zero against their quota
        for rep, (_, currency) in quotas.items():
            by_currency.setdefault(currency, {}).setdefault(rep, empty_figures())
    lines: list[Line] = []
    for currency, groups in by_currency.items():
        amounts = {rep: a for rep, (a, c) in quotas.items() if c == currency}
        rolled, quota = _grouped(groups, group_by, org, amounts)
        lines.extend(Line(g, currency, f, quota.get(g)) for g, f in rolled.items())
    return sorted(lines, key=lambda line: (line.group, line.currency))


def _grouped(groups: dict[str, Figures], group_by: str, org: Organisation,
             quota: dict[str, Decimal]) -> tuple[dict[str, Figures], dict[str, Decimal]]:
    add = Figures.__add__
    if group_by == "rep":
        return groups, quota
    if group_by == "team":
        return (roll_up(groups, org.team_of, org.team_parent, add),
                roll_up(quota, org.team_of, org.team_parent, Decimal.__add__))
    if group_by == "territory":
        home = {t: t for t in groups}
        rolled = roll_up(groups, home, org.territory_parent, add)
        return rolled, {t: _territory_quota(t, org, quota) for t in rolled if t in org.territory_parent}
    return groups, {}


def _territory_quota(territory: str, org: Organisation, quota: Mapping[str, Decimal]) -> Decimal:
    """Quota of the distinct reps of the territory and every territory below it (a rep counts once)."""
    below = [t for t in org.territory_parent if territory in ancestors(t, org.territory_parent)]
    reps = {rep for t in below for rep in org.territory_reps.get(t, [])}
    return sum((quota[r] for r in reps if r in quota), Decimal(0))
