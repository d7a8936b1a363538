"""Follow-up SLA: a lead must leave `new` before a deadline set by its score band; a breach is announced once
per owner. Its action is `reroute` (territory chooses another rep) or `escalate` (to the owner's manager)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from services.leads.domain.leads import Fact, Lead
from shared.errors import InvalidInput


@dataclass(frozen=True)
class Band:
    name: str
    min_score: int
    minutes: int


BREACH_ACTIONS = ("reroute", "escalate")


@dataclass(frozen=True)
class SlaPolicy:
    """Stored, changed by ops through the API: the bands and what a breach does."""

    bands: tuple[Band, ...]
    breach_action: str = "reroute"


DEFAULT_BANDS = "hot:80:60,warm:50:240,cold:0:1440"  # hot leads within 1 hour, warm 4 hours, the rest 24 hours


def policy_of(bands: str, breach_action: str) -> SlaPolicy:
    if breach_action not in BREACH_ACTIONS:
        raise InvalidInput("breach_action", f"must be one of {', '.join(BREACH_ACTIONS)}")
    return SlaPolicy(parse_bands(bands), breach_action)


def bands_text(bands: tuple[Band, ...]) -> str:
    return ",".join(f"{b.name}:{b.min_score}:{b.minutes}" for b in bands)


def parse_bands(spec: str) -> tuple[Band, ...]:
    """`hot:80:60,warm:50:240,cold:0:1440` → bands, highest threshold first; one must start at 0."""
    bands = []
    for part in spec.split(","):
        try:
            name, threshold, minutes = part.strip().split(":")
            band = Band(name.strip(), int(threshold), int(minutes))
        except ValueError:
            raise InvalidInput("bands", f"'{part}' is not name:min_score:minutes") from None
        if not (band.name and 0 <= band.min_score <= 100 and band.minutes > 0):
            raise InvalidInput("bands", f"'{part}': a name, a score 0 to 100 and a positive number of minutes")
        bands.append(band)
    if len({b.min_score for b in bands}) != len(bands):
        raise InvalidInput("bands", "two bands start at the same score")
    if not any(b.min_score == 0 for b in bands):
        raise InvalidInput("bands", "one band must start at score 0")
    return tuple(sorted(bands, key=lambda b: -b.min_score))


def band_for(score: int, bands: tuple[Band, ...]) -> Band:
    return next(b for b in bands if score >= b.min_score)


def with_deadline(lead: Lead, bands: tuple[Band, ...]) -> Lead:
    """The due time follows the score band, counted from when the current owner got the lead."""
    if lead.status != "new" or lead.sla_started_at is None:
        return replace(lead, sla_due_at=None) if lead.status != "new" else lead
    return replace(lead, sla_due_at=due_at(lead.sla_started_at, lead.score, bands))


def due_at(started: datetime, score: int, bands: tuple[Band, ...]) -> datetime:
    """When a new lead of this score, whose clock started then, must have been followed up."""
    return started + timedelta(minutes=band_for(score, bands).minutes)


def is_breached(lead: Lead, now: datetime) -> bool:
    return (lead.status == "new" and lead.sla_due_at is not None and lead.sla_breached_at is None
            and lead.sla_due_at <= now)


def breach(lead: Lead, now: datetime) -> tuple[Lead, list[Fact]]:
    assert lead.sla_due_at is not None
    breached = replace(lead, sla_breached_at=now, sla_breaches=lead.sla_breaches + 1, updated_at=now)
    return breached, [Fact("coxswain.lead.sla_breached.v1", {
        "lead_id": lead.id, "rep_id": lead.owner_id, "due_at": lead.sla_due_at, "breached_at": now})]


def escalate(lead: Lead, manager_rep_id: str | None) -> Lead:
    return replace(lead, escalated_to=manager_rep_id)
