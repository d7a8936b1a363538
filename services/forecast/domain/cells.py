"""A deal's contribution to the aggregate rows, and the difference one event makes to them.

Three kinds of row, each keyed by calendar month × dimension (rep, territory, company) × group × currency:
- totals by bucket (an open deal's forecast category, or won / lost): amount, weighted amount, deal count;
- open amount by pipeline and stage (the historical method multiplies it by the observed win rate);
- open amount by the week the deal was created, with Σ amount × creation day (the cycle-length method).
An event takes the deal's old contribution out and puts its new one in; rows the event does not change
net to zero and are not touched. Quarters and (fiscal) years are sums of their months, read at query time,
so the fiscal calendar can change without rebuilding anything.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from services.forecast.domain.deals import DealState
from services.forecast.domain.periods import day_number, month_of, week_of
from shared.crediting import split_credits

TOTALS, STAGES, AGES = "totals", "stages", "ages"
# `rep` credits the owner with the whole deal (the owner view); `split` credits each rep their share
# (the splits view, shared.crediting), every measure scaled to the share.
DIMENSIONS = ("rep", "split", "territory", "company")
NO_GROUP = "unassigned"


@dataclass(frozen=True)
class Cell:
    kind: str  # totals | stages | ages
    key: tuple[str, ...]  # (month, dimension, group, currency, *detail)
    measures: tuple[Decimal, ...]


def groups_of(deal: DealState) -> list[tuple[str, str, Decimal]]:
    """(dimension, group, the amount credited to the group)."""
    whole = [("rep", deal.owner_id, deal.amount), ("territory", deal.territory_id or NO_GROUP, deal.amount),
             ("company", deal.company or NO_GROUP, deal.amount)]
    return whole + [("split", rep, share) for rep, share in split_credits(deal.amount, deal.owner_id, deal.splits)]


def cells_of(deal: DealState) -> list[Cell]:
    out: list[Cell] = []
    bucket = deal.category if deal.is_open else deal.status
    counts_open = deal.is_open and deal.category != "omitted"
    month = month_of(deal.period_day)
    created = deal.created_at.date()
    for dimension, group, amount in groups_of(deal):
        head = (month, dimension, group, deal.currency)
        weighted = amount * deal.probability / 100 if deal.is_open else Decimal(0)
        out.append(Cell(TOTALS, (*head, bucket), (amount, weighted, Decimal(1))))
        if counts_open:
            out.append(Cell(STAGES, (*head, deal.pipeline_id, deal.stage_id), (amount, Decimal(1))))
            out.append(Cell(AGES, (*head, week_of(created).isoformat()), (amount, amount * day_number(created))))
    return out


def difference(before: DealState | None, after: DealState | None) -> list[Cell]:
    """Old contribution out, new one in, netted per row; rows left unchanged are dropped."""
    sums: dict[tuple[str, tuple[str, ...]], list[Decimal]] = defaultdict(list)
    for sign, deal in ((-1, before), (1, after)):
        for cell in cells_of(deal) if deal is not None else ():
            current = sums[(cell.kind, cell.key)]
            if not current:
                current.extend(Decimal(0) for _ in cell.measures)
            for i, value in enumerate(cell.measures):
                current[i] += sign * value
    return [Cell(kind, key, tuple(m)) for (kind, key), m in sums.items() if any(m)]


def fold(cells: Iterable[Cell]) -> dict[tuple[str, tuple[str, ...]], tuple[Decimal, ...]]:
    """Sum cells into rows (used to build the aggregates in memory: point-in-time queries and the bench)."""
    rows: dict[tuple[str, tuple[str, ...]], list[Decimal]] = {}
    for cell in cells:
        row = rows.setdefault((cell.kind, cell.key), [Decimal(0)] * len(cell.measures))
        for i, value in enumerate(cell.measures):
            row[i] += value
    return {k: tuple(v) for k, v in rows.items()}
