"""One rep's commission on one won deal: lines per component, tiers by attainment, caps, SPIFs."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.compensation.domain.commission import HUNDRED, attainment_percent, to_cents
from services.compensation.domain.plans import PlanTerms, RateComponent, Spif, Tier, TieredComponent


@dataclass(frozen=True)
class DealShare:
    """A rep's part of a won deal, already in the plan's currency."""
    deal_id: str
    rep_id: str
    closed_on: date
    deal_amount: Decimal  # the whole deal, for SPIF criteria
    percent: Decimal
    base: Decimal  # the rep's share, to the cent; it counts toward their attainment
    products: frozenset[str] = frozenset()
    new_logo: bool = False


@dataclass(frozen=True)
class Standing:
    """Where the rep stood before this deal: credited toward quota, the quota, commission paid in the period."""
    credited: Decimal
    quota: Decimal | None
    paid_in_period: Decimal = Decimal(0)


@dataclass(frozen=True)
class Line:
    component: str
    kind: str  # commission, true_up, cap, spif, reversal, draw
    base: Decimal
    rate: Decimal
    amount: Decimal
    tier: str | None = None
    attainment_before: Decimal | None = None
    attainment_after: Decimal | None = None
    reason: str | None = None  # why a reversal or adjustment line was written


def tier_label(tiers: tuple[Tier, ...], i: int) -> str:
    upper = tiers[i + 1].floor if i + 1 < len(tiers) else None
    return f"{tiers[i].floor}-{upper}%" if upper is not None else f"{tiers[i].floor}%+"


def tier_index(tiers: tuple[Tier, ...], attainment: Decimal) -> int:
    return max(i for i, t in enumerate(tiers) if attainment >= t.floor)


def _marginal(c: TieredComponent, lo: Decimal, hi: Decimal, quota: Decimal) -> list[Line]:
    """Each slice of [lo, hi) at the rate of the tier it falls in."""
    lines = []
    for i, tier in enumerate(c.tiers):
        start = quota * tier.floor / HUNDRED
        end = quota * c.tiers[i + 1].floor / HUNDRED if i + 1 < len(c.tiers) else hi
        part = min(hi, end) - max(lo, start)
        if part > 0:
            a, b = max(lo, start), min(hi, end)
            lines.append(Line(c.name, "commission", to_cents(part), tier.rate, to_cents(part * tier.rate),
                              tier_label(c.tiers, i), attainment_percent(a, quota), attainment_percent(b, quota)))
    return lines


def _retroactive(c: TieredComponent, lo: Decimal, hi: Decimal, quota: Decimal) -> list[Line]:
    """The deal at the tier reached; crossing a tier trues up what was credited before at the new rate."""
    before = attainment_percent(lo, quota) or Decimal(0)
    after = attainment_percent(hi, quota) or Decimal(0)
    was, now = tier_index(c.tiers, before), tier_index(c.tiers, after)
    rate = c.tiers[now].rate
    label = tier_label(c.tiers, now)
    lines = [Line(c.name, "commission", to_cents(hi - lo), rate, to_cents((hi - lo) * rate), label, before, after)]
    delta = rate - c.tiers[was].rate
    if delta and lo > 0:
        lines.append(Line(f"{c.name}:true_up", "true_up", to_cents(lo), delta, to_cents(lo * delta), label,
                          before, after))
    return lines


def _spif_applies(spif: Spif, share: DealShare) -> bool:
    return ((spif.min_amount is None or share.deal_amount >= spif.min_amount)
            and (spif.product is None or spif.product in share.products)
            and (not spif.new_logo or share.new_logo)
            and (spif.starts_on is None or share.closed_on >= spif.starts_on)
            and (spif.ends_on is None or share.closed_on <= spif.ends_on))


def _spif_line(spif: Spif, share: DealShare) -> Line:
    if spif.amount is not None:
        return Line(spif.name, "spif", to_cents(spif.amount), share.percent / HUNDRED,
                    to_cents(spif.amount * share.percent / HUNDRED))
    rate = spif.rate or Decimal(0)
    return Line(spif.name, "spif", share.base, rate, to_cents(share.base * rate))


def _caps(terms: PlanTerms, lines: list[Line], standing: Standing) -> list[Line]:
    total = sum((x.amount for x in lines), Decimal(0))
    caps: list[Line] = []
    if terms.cap_per_deal is not None and total > terms.cap_per_deal:
        caps.append(Line("cap_per_deal", "cap", total, Decimal(0), terms.cap_per_deal - total))
        total = terms.cap_per_deal
    if terms.cap_per_period is not None:
        room = max(Decimal(0), terms.cap_per_period - standing.paid_in_period)
        if total > room:
            caps.append(Line("cap_per_period", "cap", total, Decimal(0), room - total))
    return caps


def calculate(terms: PlanTerms, share: DealShare, standing: Standing) -> list[Line]:
    """The lines one rep earns on one won deal. Tiered components need a quota (the caller checks)."""
    lo, hi = standing.credited, standing.credited + share.base
    before, after = attainment_percent(lo, standing.quota), attainment_percent(hi, standing.quota)
    lines: list[Line] = []
    for c in terms.components:
        if isinstance(c, RateComponent):
            lines.append(Line(c.name, "commission", share.base, c.rate, to_cents(share.base * c.rate),
                              None, before, after))
        elif isinstance(c, TieredComponent):
            assert standing.quota, "tiers need a quota"
            tiered = _marginal if c.mode == "marginal" else _retroactive
            lines.extend(tiered(c, lo, hi, standing.quota))
    lines.extend(_caps(terms, lines, standing))
    lines.extend(_spif_line(s, share) for s in terms.components if isinstance(s, Spif) and _spif_applies(s, share))
    return lines


def reversal(paid: list[Line], reason: str = "reversed") -> list[Line]:
    """What undoes a deal's lines: each line negated (same component and kind), so the deal nets to zero."""
    return [Line(x.component, x.kind, -x.base, x.rate, -x.amount, x.tier, x.attainment_before,
                 x.attainment_after, reason) for x in paid]


def total(lines: list[Line]) -> Decimal:
    return sum((x.amount for x in lines), Decimal(0))
