"""Rule-based lead score, 0 to 100, from fit (who they are) and engagement (how they came and what they did).

Each rule that holds adds its points (negative points subtract); the total is clamped to 0..100 and kept with
the list of rules that contributed, so a rep can see why a lead is hot.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.leads.domain.normalise import LeadFields
from shared.errors import InvalidInput

CATEGORIES = ("fit", "engagement")
SCORED_FIELDS = {"industry": "fit", "employee_count": "fit", "country": "fit", "title": "fit",
                 "source": "engagement", "activity_count": "engagement"}
OPERATORS = ("eq", "in", "gte", "lte", "contains")
NUMERIC = frozenset({"employee_count", "activity_count"})


@dataclass(frozen=True)
class ScoringRule:
    id: str
    field: str
    op: str
    value: Any
    points: int
    description: str = ""

    @property
    def category(self) -> str:
        return SCORED_FIELDS[self.field]


def validate_rules(rules: list[ScoringRule]) -> None:
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        where = f"rules.{i}"
        if rule.id in seen:
            raise InvalidInput(f"{where}.id", f"rule id {rule.id} appears twice")
        seen.add(rule.id)
        if rule.field not in SCORED_FIELDS:
            raise InvalidInput(f"{where}.field", f"must be one of {', '.join(SCORED_FIELDS)}")
        if rule.op not in OPERATORS:
            raise InvalidInput(f"{where}.op", f"must be one of {', '.join(OPERATORS)}")
        if rule.op in ("gte", "lte") and (rule.field not in NUMERIC or not isinstance(rule.value, int)):
            raise InvalidInput(f"{where}.value", "gte and lte compare a whole number with employee_count "
                                                 "or activity_count")
        if rule.op == "in" and not (isinstance(rule.value, list) and rule.value):
            raise InvalidInput(f"{where}.value", "'in' takes a non-empty list")
        if not -100 <= rule.points <= 100:
            raise InvalidInput(f"{where}.points", "points lie between -100 and 100")


def _text(value: Any) -> str:
    return str(value).casefold()


def score(fields: LeadFields, rules: list[ScoringRule]) -> tuple[int, tuple[dict[str, Any], ...]]:
    """The score and its explanation: each contributing rule with its category and points."""
    return scorer(rules)(fields)


Scorer = Callable[[LeadFields], tuple[int, tuple[dict[str, Any], ...]]]


def _test(rule: ScoringRule) -> Callable[[Any], bool]:
    """`holds` for one rule with its value prepared once (a batch scores thousands of leads by the same rules)."""
    if rule.op == "gte":
        return lambda actual: bool(actual >= rule.value)
    if rule.op == "lte":
        return lambda actual: bool(actual <= rule.value)
    if rule.op == "in":
        allowed = frozenset(_text(v) for v in rule.value)
        return lambda actual: _text(actual) in allowed
    wanted = _text(rule.value)
    if rule.op == "contains":
        return lambda actual: wanted in _text(actual)
    return lambda actual: _text(actual) == wanted


def scorer(rules: list[ScoringRule]) -> Scorer:
    """`score` with these rules, prepared once: the same total and explanation for every lead."""
    tests = [(rule.field, _test(rule), rule) for rule in rules]

    def scored(fields: LeadFields) -> tuple[int, tuple[dict[str, Any], ...]]:
        hits = [rule for name, test, rule in tests
                if (actual := getattr(fields, name)) is not None and test(actual)]
        return max(0, min(100, sum(r.points for r in hits))), tuple(_explained(r) for r in hits)

    return scored


def _explained(r: ScoringRule) -> dict[str, Any]:
    return {"rule_id": r.id, "category": r.category, "points": r.points,
            "description": r.description or f"{r.field} {r.op} {r.value}"}


DEFAULT_RULES = [
    ScoringRule("industry-software", "industry", "in", ["software", "saas", "fintech"], 20,
                "target industry"),
    ScoringRule("size-mid", "employee_count", "gte", 50, 10, "50+ employees"),
    ScoringRule("size-large", "employee_count", "gte", 500, 15, "500+ employees (on top of 50+)"),
    ScoringRule("title-leader", "title", "contains", "head", 10, "head of a function"),
    ScoringRule("title-vp", "title", "contains", "vp", 15, "vice president"),
    ScoringRule("title-chief", "title", "contains", "chief", 20, "C-level"),
    ScoringRule("core-market", "country", "in", ["US", "GB", "DE", "FR", "NL"], 10, "core market"),
    ScoringRule("source-demo", "source", "eq", "demo_request", 25, "asked for a demo"),
    ScoringRule("source-referral", "source", "eq", "referral", 15, "referred"),
    ScoringRule("active", "activity_count", "gte", 5, 10, "5+ recorded activities"),
]
