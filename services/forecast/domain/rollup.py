"""Roll groups up their hierarchy (teams, territories) and relate forecasts to quota."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TypeVar

V = TypeVar("V")


def ancestors(node: str, parent_of: Mapping[str, str | None]) -> list[str]:
    """The node and every node above it (a cycle in the hierarchy stops the walk rather than looping)."""
    chain: list[str] = []
    current: str | None = node
    while current is not None and current not in chain:
        chain.append(current)
        current = parent_of.get(current)
    return chain


def roll_up(leaves: Mapping[str, V], home_of: Mapping[str, str | None], parent_of: Mapping[str, str | None],
            add: Callable[[V, V], V], *, homeless: str = "unassigned") -> dict[str, V]:
    """Leaf values (per rep, per territory) summed into their home node and every node above it.

    `home_of` maps a leaf to its node (a rep to its team; a territory to itself); a leaf without one counts
    under `homeless`.
    """
    out: dict[str, V] = {}
    for leaf, value in leaves.items():
        home = home_of.get(leaf)
        for node in ancestors(home, parent_of) if home else [homeless]:
            out[node] = add(out[node], value) if node in out else value
    return out


def attainment(closed_won: Decimal, quota: Decimal | None) -> Decimal | None:
    """Closed won ÷ quota (None without a positive quota)."""
    if quota is None or quota <= 0:
        return None
    return closed_won / quota


def coverage(open_pipeline: Decimal, closed_won: Decimal, quota: Decimal | None) -> Decimal | None:
    """Open pipeline ÷ the quota still to close (None when nothing remains to close)."""
    if quota is None:
        return None
    remaining = quota - closed_won
    return open_pipeline / remaining if remaining > 0 else None


Node = tuple[str, str]  # ("team", id) or ("rep", id)


def adjusted_teams(forecast: Mapping[Node, Decimal], adjusted: Mapping[Node, Decimal],
                   team_parent: Mapping[str, str | None], team_of: Mapping[str, str | None]) -> dict[str, Decimal]:
    """Each team's adjusted forecast in one currency: its own latest adjustment, else its forecast moved by the
    adjustments below it (sub-teams' and member reps', the nearest one on each branch); teams with no
    adjustment at or below them are left out."""
    children: dict[str, list[Node]] = {}
    for team, parent in team_parent.items():
        if parent is not None:
            children.setdefault(parent, []).append(("team", team))
    for rep, home in team_of.items():
        if home is not None:
            children.setdefault(home, []).append(("rep", rep))

    def change(node: Node, seen: frozenset[str]) -> Decimal | None:
        if node in adjusted:
            return adjusted[node] - forecast.get(node, Decimal(0))
        below = children.get(node[1], []) if node[0] == "team" else []
        parts = [c for child in below if child[1] not in seen
                 and (c := change(child, seen | {child[1]})) is not None]  # a cycle stops the walk
        return sum(parts, Decimal(0)) if parts else None

    out = {}
    for team in team_parent:
        moved = change(("team", team), frozenset({team}))
        if moved is not None:
            out[team] = forecast.get(("team", team), Decimal(0)) + moved
    return out
