"""Plan terms: the components a plan version pays with, validated from their JSON form."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from services.compensation.domain.periods import PERIOD_KINDS, PeriodKind
from shared.errors import InvalidInput

TierMode = Literal["marginal", "retroactive"]


@dataclass(frozen=True)
class Tier:
    floor: Decimal  # attainment percent where the tier starts (inclusive)
    rate: Decimal


@dataclass(frozen=True)
class RateComponent:
    name: str
    rate: Decimal


@dataclass(frozen=True)
class TieredComponent:
    """Tiers by quota attainment; accelerators and decelerators are tiers of a base rate times a multiplier."""
    name: str
    tiers: tuple[Tier, ...]
    mode: TierMode = "marginal"


@dataclass(frozen=True)
class Spif:
    name: str
    amount: Decimal | None = None  # a fixed bonus per deal, shared by split
    rate: Decimal | None = None  # or a rate on the rep's share
    min_amount: Decimal | None = None
    product: str | None = None
    new_logo: bool | None = None
    starts_on: date | None = None
    ends_on: date | None = None


Component = RateComponent | TieredComponent | Spif


@dataclass(frozen=True)
class PlanTerms:
    currency: str
    period_kind: PeriodKind
    components: tuple[Component, ...]
    cap_per_deal: Decimal | None = None
    cap_per_period: Decimal | None = None

    @property
    def needs_quota(self) -> bool:
        return any(isinstance(c, TieredComponent) for c in self.components)


MAX_WHOLE_DIGITS = 12  # what the rate column (20 digits, 8 decimals) holds; amounts (2 decimals) hold more


def _decimal(raw: Any, field: str, *, positive: bool = False, places: int = 6) -> Decimal:
    if isinstance(raw, float) or isinstance(raw, bool):
        raise InvalidInput(field, "must be a decimal string such as \"0.10\", not a float")
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise InvalidInput(field, "must be a decimal number") from None
    if not value.is_finite() or value.adjusted() >= MAX_WHOLE_DIGITS:  # 1e400 is finite, and no rate or amount
        raise InvalidInput(field, f"must be a decimal number below 10^{MAX_WHOLE_DIGITS}")
    if value < 0 or (positive and value == 0):
        raise InvalidInput(field, "must be a positive number" if positive else "must not be negative")
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise InvalidInput(field, f"at most {places} decimal places")
    return value


def _optional(raw: dict[str, Any], key: str, field: str) -> Decimal | None:
    return None if raw.get(key) is None else _decimal(raw[key], f"{field}.{key}", positive=True, places=2)


def _tiers(raw: list[Any], field: str, base_rate: Decimal | None = None) -> tuple[Tier, ...]:
    if not isinstance(raw, list) or not raw:
        raise InvalidInput(field, "at least one tier is needed")
    tiers = []
    for i, t in enumerate(raw):
        if not isinstance(t, dict):
            raise InvalidInput(f"{field}[{i}]", "a tier is an object")
        factor = "multiplier" if base_rate is not None else "rate"
        if factor not in t:
            raise InvalidInput(f"{field}[{i}].{factor}", "required")
        value = _decimal(t[factor], f"{field}[{i}].{factor}", places=2 if base_rate is not None else 6)
        tiers.append(Tier(_decimal(t.get("from", 0), f"{field}[{i}].from", places=4),
                          value * base_rate if base_rate is not None else value))
    if tiers[0].floor != 0:
        raise InvalidInput(f"{field}[0].from", "the first tier starts at 0% attainment")
    if any(b.floor <= a.floor for a, b in zip(tiers, tiers[1:], strict=False)):
        raise InvalidInput(field, "tiers must be in increasing order of 'from'")
    return tuple(tiers)


def _spif(raw: dict[str, Any], field: str, name: str) -> Spif:
    amount = _optional(raw, "amount", field)
    rate = None if raw.get("rate") is None else _decimal(raw["rate"], f"{field}.rate", positive=True)
    if (amount is None) == (rate is None):
        raise InvalidInput(f"{field}.amount", "a SPIF pays either a fixed amount or a rate")
    crit = raw.get("criteria") or {}
    if not isinstance(crit, dict):
        raise InvalidInput(f"{field}.criteria", "must be an object")
    try:
        starts = date.fromisoformat(crit["starts_on"]) if crit.get("starts_on") else None
        ends = date.fromisoformat(crit["ends_on"]) if crit.get("ends_on") else None
    except (TypeError, ValueError):
        raise InvalidInput(f"{field}.criteria", "starts_on and ends_on are ISO dates") from None
    if crit.get("product") is not None and not isinstance(crit["product"], str):
        raise InvalidInput(f"{field}.criteria.product", "a product name")
    if crit.get("new_logo") is not None and not isinstance(crit["new_logo"], bool):
        raise InvalidInput(f"{field}.criteria.new_logo", "true or false")
    if starts and ends and ends < starts:
        raise InvalidInput(f"{field}.criteria.ends_on", "ends before starts_on")
    return Spif(name, amount, rate, _optional(crit, "min_amount", f"{field}.criteria"), crit.get("product"),
                crit.get("new_logo"), starts, ends)


def _component(raw: Any, field: str) -> Component:
    if not isinstance(raw, dict):
        raise InvalidInput(field, "a component is an object")
    kind, name = raw.get("kind"), str(raw.get("name") or raw.get("kind"))
    if kind == "rate":
        return RateComponent(name, _decimal(raw.get("rate"), f"{field}.rate"))
    if kind == "tiers":
        mode = raw.get("mode", "marginal")
        if mode not in ("marginal", "retroactive"):
            raise InvalidInput(f"{field}.mode", "marginal or retroactive")
        return TieredComponent(name, _tiers(raw.get("tiers", []), f"{field}.tiers"), mode)
    if kind == "accelerator":
        base = _decimal(raw.get("rate"), f"{field}.rate")
        return TieredComponent(name, _tiers(raw.get("bands", []), f"{field}.bands", base), "marginal")
    if kind == "spif":
        return _spif(raw, field, name)
    raise InvalidInput(f"{field}.kind", "one of rate, tiers, accelerator, spif")


def parse_terms(raw: dict[str, Any]) -> PlanTerms:
    """Validate a plan version's terms; every problem names its field."""
    kind = raw.get("period_kind", "quarter")
    if kind not in PERIOD_KINDS:
        raise InvalidInput("period_kind", "month, quarter or year")
    components = raw.get("components")
    if not isinstance(components, list) or not components:
        raise InvalidInput("components", "a plan needs at least one component")
    parsed = tuple(_component(c, f"components[{i}]") for i, c in enumerate(components))
    names = [c.name for c in parsed]
    if len(set(names)) != len(names):
        raise InvalidInput("components", "component names must be unique")
    return PlanTerms(str(raw.get("currency", "")), kind, parsed,
                     _optional(raw, "cap_per_deal", "caps"), _optional(raw, "cap_per_period", "caps"))
