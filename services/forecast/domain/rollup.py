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
