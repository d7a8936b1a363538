"""What one deal transition changes in the projection: aggregate-row deltas, win records, cycle statistics.

The live projection (database) and a point-in-time replay (memory) both apply these same effects.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from services.forecast.domain.cells import Cell, difference, fold
from services.forecast.domain.deals import DealChange, DealState, apply
from services.forecast.domain.methods import Record, StageRecord


@dataclass(frozen=True)
class Effects:
    after: DealState
    cells: list[Cell]
    uncount: DealState | None  # a closed deal's outcome taken out of the win records (−1), first
    visit: DealState | None  # the stage the deal is now in, remembered next
    count: DealState | None  # a closed deal's outcome put into the win records (+1), last


def effects(before: DealState | None, after: DealState) -> Effects:
    return Effects(
        after=after,
        cells=difference(before, after),
        uncount=before if before is not None and not before.is_open else None,
        visit=after,
        count=after if not after.is_open else None,
    )


@dataclass
class Book:
    """The whole projection in memory, built by replaying events (point-in-time queries, rebuild checks)."""

    deals: dict[str, DealState] = field(default_factory=dict)
    cells: list[Cell] = field(default_factory=list)
    visits: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    stages: dict[tuple[str, str], StageRecord] = field(default_factory=dict)
    won_deals: int = 0
    cycle_days: int = 0

    def take(self, change: DealChange) -> None:
        before = self.deals.get(change.deal_id)
        after = apply(before, change)
        if after is None:
            return
        fx = effects(before, after)
        self.deals[after.deal_id] = after
        self.cells.extend(fx.cells)
        if fx.uncount:
            self._outcome(fx.uncount, -1)
        self.visits.setdefault(after.deal_id, set()).add((after.pipeline_id, after.stage_id))
        key = (after.pipeline_id, after.stage_id)
        old = self.stages.get(key, StageRecord(after.probability))
        self.stages[key] = StageRecord(after.probability, old.wins, old.losses)
        if fx.count:
            self._outcome(fx.count, 1)

    def _outcome(self, deal: DealState, sign: int) -> None:
        for key in self.visits.get(deal.deal_id, set()):
            r = self.stages[key]
            won = deal.status == "won"
            self.stages[key] = StageRecord(r.probability, r.wins + sign * won, r.losses + sign * (not won))
        if deal.cycle_days is not None:
            self.won_deals += sign
            self.cycle_days += sign * deal.cycle_days

    def rows(self) -> dict[tuple[str, tuple[str, ...]], tuple[Decimal, ...]]:
        return fold(self.cells)

    def records(self, months: list[str], dimension: str) -> list[Record]:
        """The aggregate rows of a dimension summed over months, as the database query returns them."""
        wanted = set(months)
        sums: dict[tuple[str, str, str, tuple[str, ...]], list[Decimal]] = {}
        for (kind, key), measures in self.rows().items():
            if key[0] in wanted and key[1] == dimension:
                row = sums.setdefault((kind, key[2], key[3], key[4:]), [Decimal(0)] * len(measures))
                for i, value in enumerate(measures):
                    row[i] += value
        return [(k, g, c, d, tuple(m)) for (k, g, c, d), m in sums.items() if any(m)]


StageKey = tuple[str, str]  # (pipeline, stage)
RowKey = tuple[str, tuple[str, ...]]  # (kind, key) of an aggregate row


@dataclass
class BatchEffects:
    """What a run of deal changes does to the projection, netted: the live projection writes it with one set
    statement per table. Applying the changes one by one (`effects` each, in order) gives the same rows."""

    deals: dict[str, DealState] = field(default_factory=dict)  # each changed deal's last state
    cells: dict[RowKey, list[Decimal]] = field(default_factory=dict)  # every row an event touched: its net delta
    visits: dict[str, set[StageKey]] = field(default_factory=dict)  # stages each deal is now known to have seen
    new_visits: list[tuple[str, str, str]] = field(default_factory=list)  # (deal, pipeline, stage), first seen
    probability: dict[StageKey, int] = field(default_factory=dict)  # the stage probability last stated
    outcomes: dict[StageKey, list[int]] = field(default_factory=dict)  # stage → [Δwins, Δlosses]
    cycles: list[int] | None = None  # [Δwon deals, Δcycle days] once a won deal counted or uncounted
    applied: list[int] = field(default_factory=list)  # positions of the changes that changed something

    def cell_rows(self) -> list[Cell]:
        """Every touched row with its net delta (a row an event touched stays, even at a net zero, as the
        one-by-one writes leave it), in key order (the lock order of the writes)."""
        return [Cell(kind, key, tuple(m)) for (kind, key), m in sorted(self.cells.items())]

    def take(self, change: DealChange, known: DealState | None) -> bool:
        """Apply one change to the deal (as changed earlier in the run, else as `known`); False: it changed
        nothing (an older or repeated fact)."""
        before = self.deals.get(change.deal_id, known)
        after = apply(before, change)
        if after is None:
            return False
        fx = effects(before, after)
        self.deals[after.deal_id] = after
        for cell in fx.cells:
            row = self.cells.setdefault((cell.kind, cell.key), [Decimal(0)] * len(cell.measures))
            for i, value in enumerate(cell.measures):
                row[i] += value
        if fx.uncount:
            self._outcome(fx.uncount, -1)
        seen = self.visits.setdefault(after.deal_id, set())
        key = (after.pipeline_id, after.stage_id)
        if key not in seen:
            seen.add(key)
            self.new_visits.append((after.deal_id, *key))
        self.probability[key] = after.probability
        if fx.count:
            self._outcome(fx.count, 1)
        return True

    def _outcome(self, deal: DealState, sign: int) -> None:
        column = 0 if deal.status == "won" else 1
        for key in self.visits.get(deal.deal_id, set()):
            self.outcomes.setdefault(key, [0, 0])[column] += sign
        if deal.cycle_days is not None:
            if self.cycles is None:
                self.cycles = [0, 0]
            self.cycles[0] += sign
            self.cycles[1] += sign * deal.cycle_days


def batch_effects(changes: Sequence[DealChange], known: Mapping[str, DealState],
                  visits: Mapping[str, set[StageKey]]) -> BatchEffects:
    """Fold a run of deal changes (in order; per deal in sequence order as delivered) from the deals as stored
    (`known`) and the stages they have been seen in (`visits`). Raises UnknownDeal like `apply`."""
    out = BatchEffects(visits={deal: set(seen) for deal, seen in visits.items()})
    for position, change in enumerate(changes):
        if out.take(change, known.get(change.deal_id)):
            out.applied.append(position)
    return out
