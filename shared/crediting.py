"""How a deal credits reps — one rule for every service (docs/events.md, "Crediting").

- Splits view: each rep in the deal's splits is credited percent × amount, rounded half-even to the cent per
  deal; a deal without splits credits its owner 100%. This is what counts toward a quota: compensation's
  credits, forecast's `crediting=splits`, territory coverage's per-rep won and attainment.
- Owner view: the owner is credited the whole amount (forecast's `crediting=owner`).

A deal credited wholly to its owner follows the owner when the owner changes; explicit splits stay as they are.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal

Splits = tuple[tuple[str, Decimal], ...]  # (rep_id, percent)
CENT, HUNDRED = Decimal("0.01"), Decimal(100)


def splits_of(pairs: Iterable[tuple[str, object]] | None, owner_id: str | None) -> Splits:
    """Splits as a deal event states them, without the owner-100% default (stored as no splits, so the
    credit follows the owner)."""
    splits = tuple((rep, Decimal(str(percent))) for rep, percent in pairs or ())
    return () if owner_id is not None and splits == ((owner_id, HUNDRED),) else splits


def split_credits(amount: Decimal, owner_id: str, splits: Splits) -> list[tuple[str, Decimal]]:
    """(rep, credited amount) under the splits view."""
    return [(rep, (amount * percent / HUNDRED).quantize(CENT, rounding=ROUND_HALF_EVEN))
            for rep, percent in splits or ((owner_id, HUNDRED),)]


def attainment_percent(credited: Decimal, quota: Decimal | None) -> Decimal | None:
    """Credited as a percent of quota, to 4 places half-even (120.0000); None without a positive quota."""
    if quota is None or quota <= 0:
        return None
    return (credited * HUNDRED / quota).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
