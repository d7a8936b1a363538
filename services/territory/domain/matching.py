"""Which territory a lead belongs to: rules indexed by field, so a lead touches only the conditions its
own values can satisfy instead of every territory. Overlaps are settled by priority, then specificity
(the narrower matching rule), then territory id, so the answer never depends on insertion order."""
from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from services.territory.domain.rules import Condition, Value
from services.territory.domain.territories import Territory

_RuleKey = tuple[str, int]  # (territory id, rule index)


@dataclass(frozen=True)
class Match:
    territory_id: str
    rule_index: int | None  # None: caught by the default territory
    reason: str


def _rank(territory: Territory, rule_index: int) -> tuple[int, int, str]:
    return (-territory.priority, -territory.rules[rule_index].specificity, territory.id)


def _best(candidates: Iterable[_RuleKey], territories: Mapping[str, Territory]) -> Match | None:
    ranked = sorted((_rank(territories[t], i), t, i) for t, i in candidates)
    if not ranked:
        return None
    _, territory_id, index = ranked[0]
    return Match(territory_id, index, f"matched rule {index} of territory {territory_id}")


def _default(territories: Mapping[str, Territory]) -> Match | None:
    default = min((t for t in territories.values() if t.is_default), key=lambda t: t.id, default=None)
    return Match(default.id, None, "no rule matched; default territory") if default else None


def naive_match(lead: Mapping[str, Value], territories: Mapping[str, Territory]) -> Match | None:
    """The baseline: test every rule of every territory (kept for the benchmark and as the test oracle)."""
    hits = [(t.id, i) for t in territories.values() for i, r in enumerate(t.rules) if r.holds(lead)]
    return _best(hits, territories) or _default(territories)


class TerritoryIndex:
    """Conditions indexed per field: exact values in hash maps, prefixes by the lead value's own prefixes,
    ranges sorted by their lower bound. A rule matches when every one of its conditions was hit."""

    def __init__(self, territories: Mapping[str, Territory]) -> None:
        self.territories = dict(territories)
        self._exact: dict[str, dict[Value, list[_RuleKey]]] = defaultdict(lambda: defaultdict(list))
        self._prefix: dict[str, dict[str, list[_RuleKey]]] = defaultdict(lambda: defaultdict(list))
        # Ranges grouped by their bounds (organisations reuse a few bands), sorted by lower bound.
        self._bands: dict[str, dict[tuple[Decimal, Decimal | None], list[_RuleKey]]] = defaultdict(
            lambda: defaultdict(list))
        self._needed: dict[_RuleKey, int] = {}
        self._default = _default(self.territories)
        for territory in self.territories.values():
            for i, rule in enumerate(territory.rules):
                self._needed[(territory.id, i)] = len(rule.conditions)
                for condition in rule.conditions:
                    self._add(condition, (territory.id, i))
        self._ranges = {f: sorted(bands.items(), key=lambda b: (b[0][0], b[0][1] is None, b[0][1] or 0))
                        for f, bands in self._bands.items()}
        self._lows = {f: [bounds[0] for bounds, _ in entries] for f, entries in self._ranges.items()}

    def _add(self, condition: Condition, key: _RuleKey) -> None:
        if condition.op == "eq":
            self._exact[condition.field][condition.value].append(key)
        elif condition.op == "in":
            for value in condition.value:
                self._exact[condition.field][value].append(key)
        elif condition.op == "prefix":
            self._prefix[condition.field][str(condition.value)].append(key)
        else:
            low, high = condition.value
            self._bands[condition.field][(low if low is not None else Decimal("-Infinity"), high)].append(key)

    def _hits(self, field: str, value: Value) -> Iterable[_RuleKey]:
        yield from self._exact.get(field, {}).get(value, ())
        prefixes = self._prefix.get(field)
        if prefixes and isinstance(value, str):
            for end in range(1, len(value) + 1):
                yield from prefixes.get(value[:end], ())
        if field in self._ranges and isinstance(value, Decimal):
            upto = bisect.bisect_right(self._lows[field], value)
            for (_, high), keys in self._ranges[field][:upto]:
                if high is None or value <= high:
                    yield from keys

    def match(self, lead: Mapping[str, Value]) -> Match | None:
        counts: dict[_RuleKey, int] = defaultdict(int)
        for field, value in lead.items():
            for key in self._hits(field, value):
                counts[key] += 1
        matched = [key for key, n in counts.items() if n == self._needed[key]]
        return _best(matched, self.territories) or self._default
