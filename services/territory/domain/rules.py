"""Territory rules: conditions `{field, op, value}` on lead or account fields, validated and evaluated.

A rule matches a lead when all its conditions hold; a territory matches when any of its rules does.
Text compares case-insensitively; numbers compare exactly (Decimal, never float).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.errors import InvalidInput

TEXT_FIELDS = frozenset({"country", "region", "postal_code", "industry", "company"})
NUMBER_FIELDS = frozenset({"employee_count", "annual_revenue"})
FIELDS = TEXT_FIELDS | NUMBER_FIELDS
OPS = frozenset({"eq", "in", "prefix", "range"})
_OPS_FOR = {"eq", "in", "prefix"}, {"eq", "in", "range"}

Value = str | Decimal
Range = tuple[Decimal | None, Decimal | None]


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any  # eq/prefix: one Value, in: a tuple of Values, range: a Range (min, max)

    def holds(self, lead: Mapping[str, Value]) -> bool:
        actual = lead.get(self.field)
        if actual is None:
            return False
        if self.op == "eq":
            return bool(actual == self.value)
        if self.op == "in":
            return actual in self.value
        if self.op == "prefix":
            return isinstance(actual, str) and actual.startswith(str(self.value))
        low, high = self.value
        return isinstance(actual, Decimal) and (low is None or actual >= low) and (high is None or actual <= high)

    def to_json(self) -> dict[str, Any]:
        if self.op == "range":
            low, high = self.value
            return {"field": self.field, "op": "range",
                    "value": {"min": _json_number(low), "max": _json_number(high)}}
        if self.op == "in":
            return {"field": self.field, "op": "in", "value": [_json_value(v) for v in self.value]}
        return {"field": self.field, "op": self.op, "value": _json_value(self.value)}


@dataclass(frozen=True)
class Rule:
    conditions: tuple[Condition, ...]

    def holds(self, lead: Mapping[str, Value]) -> bool:
        return all(c.holds(lead) for c in self.conditions)

    @property
    def specificity(self) -> int:
        """More conditions narrow a rule; the narrower rule wins an overlap at equal priority."""
        return len(self.conditions)

    def to_json(self) -> dict[str, Any]:
        return {"conditions": [c.to_json() for c in self.conditions]}


def _json_value(value: Value) -> Any:
    return value if isinstance(value, str) else _json_number(value)


def _json_number(value: Decimal | None) -> Any:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else format(value, "f")


def normalise(field: str, raw: Any, where: str) -> Value:
    """A lead's or a rule's value in comparable form: trimmed lower-case text, or an exact Decimal."""
    if field in NUMBER_FIELDS:
        return _number(field, raw, where)
    if not isinstance(raw, str | int) or isinstance(raw, bool) or not str(raw).strip():
        raise InvalidInput(where, f"{field} needs a non-empty text value, not {raw!r}")
    return str(raw).strip().lower()


def _number(field: str, raw: Any, where: str) -> Decimal:
    if isinstance(raw, bool) or isinstance(raw, float) or not isinstance(raw, int | str | Decimal):
        raise InvalidInput(where, f"{field} needs an integer or a decimal string, not {raw!r}")
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        raise InvalidInput(where, f"{field} needs a number, not {raw!r}") from None
    if not number.is_finite():
        raise InvalidInput(where, f"{field} needs a finite number")
    return number


def parse_condition(raw: Mapping[str, Any], where: str) -> Condition:
    field, op, value = raw.get("field"), raw.get("op"), raw.get("value")
    if field not in FIELDS:
        raise InvalidInput(f"{where}.field", f"unknown field {field!r}; known: {', '.join(sorted(FIELDS))}")
    if op not in OPS:
        raise InvalidInput(f"{where}.op", f"unknown op {op!r}; known: {', '.join(sorted(OPS))}")
    if op not in _OPS_FOR[field in NUMBER_FIELDS]:
        raise InvalidInput(f"{where}.op", f"op {op!r} does not apply to {field}")
    if op == "in":
        if not isinstance(value, list) or not value:
            raise InvalidInput(f"{where}.value", "op 'in' needs a non-empty list of values")
        return Condition(field, op, tuple(dict.fromkeys(normalise(field, v, f"{where}.value") for v in value)))
    if op == "range":
        return Condition(field, op, _parse_range(field, value, f"{where}.value"))
    return Condition(field, op, normalise(field, value, f"{where}.value"))


def _parse_range(field: str, value: Any, where: str) -> Range:
    if not isinstance(value, dict) or not ({"min", "max"} & value.keys()) or value.keys() - {"min", "max"}:
        raise InvalidInput(where, "op 'range' needs {\"min\": ..., \"max\": ...} (either may be omitted)")
    low = None if value.get("min") is None else _number(field, value["min"], f"{where}.min")
    high = None if value.get("max") is None else _number(field, value["max"], f"{where}.max")
    if low is None and high is None:
        raise InvalidInput(where, "op 'range' needs a min or a max")
    if low is not None and high is not None and low > high:
        raise InvalidInput(where, f"range min {_json_number(low)} is above max {_json_number(high)}")
    return low, high


def parse_rules(raw_rules: list[Mapping[str, Any]], where: str = "rules") -> tuple[Rule, ...]:
    rules = []
    for i, raw in enumerate(raw_rules):
        conditions = raw.get("conditions") if isinstance(raw, Mapping) else None
        if not isinstance(conditions, list) or not conditions:
            raise InvalidInput(f"{where}[{i}].conditions", "a rule needs at least one condition")
        rules.append(Rule(tuple(parse_condition(c if isinstance(c, Mapping) else {}, f"{where}[{i}].conditions[{j}]")
                                for j, c in enumerate(conditions))))
    return tuple(rules)


def lead_profile(fields: Mapping[str, Any], *, strict: bool = False) -> dict[str, Value]:
    """The matchable part of a lead: known fields only, normalised. An unusable value is absent from an
    event's lead (the lead still gets routed) and a 422 naming the field when a caller asks (`strict`)."""
    profile: dict[str, Value] = {}
    for field in FIELDS:
        raw = fields.get(field)
        if raw is None or raw == "":
            continue
        try:
            profile[field] = normalise(field, raw, field)
        except InvalidInput:
            if strict:
                raise
    return profile
