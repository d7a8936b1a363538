"""Balance: which territories are under- or over-served, with the figures that show it, and a move to
fix it (a rep to shift from where there is slack, or a rule to hand over when nobody can be spared)."""
from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from services.territory.domain.coverage import Figures, LeadFact
from services.territory.domain.rules import lead_profile
from services.territory.domain.territories import Territory

UNDER, OVER = Decimal("1.5"), Decimal("0.5")  # load per rep above 1.5x / below 0.5x the median


@dataclass(frozen=True)
class Finding:
    territory_id: str
    verdict: str  # under_served | over_served
    open_leads: int
    active_reps: int
    load_per_rep: Decimal | None
    median_load_per_rep: Decimal | None
    why: str
    suggestion: str | None = None


def _load(f: Figures) -> Decimal | None:
    return None if f.active_reps == 0 else (Decimal(f.open_leads) / f.active_reps).quantize(Decimal("0.01"))


def assess(territories: Mapping[str, Territory], per_territory: Mapping[str, Figures],
           open_by_rep: Mapping[str, int], leads: list[LeadFact]) -> list[Finding]:
    """`per_territory` without rollup: a territory's own leads and its own members."""
    loads = {t: _load(f) for t, f in per_territory.items()}
    known = [v for v in loads.values() if v is not None and v > 0]
    median = Decimal(statistics.median(known)).quantize(Decimal("0.01")) if known else None
    under, over = [], []
    for tid in sorted(territories):
        f, load = per_territory[tid], loads[tid]
        if f.open_leads and load is None:
            under.append(Finding(tid, "under_served", f.open_leads, 0, None, median,
                                 f"{f.open_leads} open lead(s) and no active rep"))
        elif load is not None and median and load > median * UNDER:
            under.append(Finding(tid, "under_served", f.open_leads, f.active_reps, load, median,
                                 f"{load} open leads per rep, above 1.5x the median {median}"))
        elif load is not None and median and load < median * OVER and f.active_reps > 1:
            over.append(Finding(tid, "over_served", f.open_leads, f.active_reps, load, median,
                                f"{load} open leads per rep, below 0.5x the median {median}"))
    donors = sorted(over, key=lambda o: (o.load_per_rep or Decimal(0), o.territory_id))
    return [_suggest(u, donors, territories, open_by_rep, leads) for u in under] + over


def _suggest(finding: Finding, donors: list[Finding], territories: Mapping[str, Territory],
             open_by_rep: Mapping[str, int], leads: list[LeadFact]) -> Finding:
    if donors:
        donor = donors[0]
        rep = min(territories[donor.territory_id].rep_ids, key=lambda r: (open_by_rep.get(r, 0), r))
        move = f"move rep {rep} from {donor.territory_id} (load {donor.load_per_rep}) to {finding.territory_id}"
        return Finding(**{**finding.__dict__, "suggestion": move})
    busiest = _busiest_rule(finding.territory_id, territories[finding.territory_id], leads)
    hint = (f"hand rule {busiest} of {finding.territory_id} to a territory with slack, or add a rep"
            if busiest is not None else f"add a rep to {finding.territory_id}")
    return Finding(**{**finding.__dict__, "suggestion": hint})


def _busiest_rule(territory_id: str, territory: Territory, leads: list[LeadFact]) -> int | None:
    counts = [0] * len(territory.rules)
    for lead in leads:
        if lead.is_open and lead.territory_id == territory_id and lead.profile:
            profile = lead_profile(lead.profile)
            for i, rule in enumerate(territory.rules):
                if rule.holds(profile):
                    counts[i] += 1
                    break
    if not any(counts):
        return None
    return max(range(len(counts)), key=lambda i: (counts[i], -i))
