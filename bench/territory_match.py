"""Leads matched per second with 1,000 territories: the field index against a naive scan, same run.

    .venv/bin/python bench/territory_match.py [--territories 1000] [--leads 2000] [--repeats 5]

Prints the median leads/s of each matcher over the repeats and the ratio indexed/naive; also checks
that both give the same answer for every lead.
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Mapping

from services.territory.domain.matching import Match, TerritoryIndex, naive_match
from services.territory.domain.rules import Value, lead_profile, parse_rules
from services.territory.domain.territories import Territory

COUNTRIES = ["us", "ca", "gb", "de", "fr", "es", "it", "nl", "se", "jp", "au", "br", "mx", "in", "sg"]
INDUSTRIES = ["software", "retail", "healthcare", "finance", "manufacturing", "education", "energy", "media"]


def build_territories(n: int, rng: random.Random) -> dict[str, Territory]:
    """Country x postal-prefix x segment territories, like a real 500-rep organisation's map."""
    out: dict[str, Territory] = {}
    for i in range(n):
        conditions = [{"field": "country", "op": "eq", "value": rng.choice(COUNTRIES)},
                      {"field": "postal_code", "op": "prefix", "value": f"{rng.randrange(100):02d}"}]
        if i % 3 == 0:
            low = rng.choice([1, 51, 201, 1001])
            conditions.append({"field": "employee_count", "op": "range", "value": {"min": low, "max": low * 5}})
        if i % 4 == 0:
            conditions.append({"field": "industry", "op": "in", "value": rng.sample(INDUSTRIES, 2)})
        tid = f"t{i:04d}"
        out[tid] = Territory(tid, tid, None, rng.randrange(3), parse_rules([{"conditions": conditions}]))
    out["rest"] = Territory("rest", "rest", None, -1, (), is_default=True)
    return out


def build_leads(n: int, rng: random.Random) -> list[dict[str, Value]]:
    return [lead_profile({"country": rng.choice(COUNTRIES), "postal_code": f"{rng.randrange(100000):05d}",
                          "industry": rng.choice(INDUSTRIES), "employee_count": rng.randrange(1, 6000)})
            for _ in range(n)]


def rate(matcher: Callable[[Mapping[str, Value]], Match | None], leads: list[dict[str, Value]]) -> float:
    start = time.perf_counter()
    for lead in leads:
        matcher(lead)
    return len(leads) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--territories", type=int, default=1000)
    parser.add_argument("--leads", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(42)
    territories, leads = build_territories(args.territories, rng), build_leads(args.leads, rng)
    index = TerritoryIndex(territories)
    mismatches = sum(index.match(lead) != naive_match(lead, territories) for lead in leads)
    indexed = [rate(index.match, leads) for _ in range(args.repeats)]
    naive = [rate(lambda lead: naive_match(lead, territories), leads) for _ in range(args.repeats)]
    med_i, med_n = statistics.median(indexed), statistics.median(naive)
    print(f"territories={args.territories} leads={args.leads} repeats={args.repeats} mismatches={mismatches}")
    print(f"indexed: median {med_i:,.0f} leads/s  (runs: {', '.join(f'{r:,.0f}' for r in indexed)})")
    print(f"naive:   median {med_n:,.0f} leads/s  (runs: {', '.join(f'{r:,.0f}' for r in naive)})")
    print(f"ratio indexed/naive: {med_i / med_n:.1f}x")


if __name__ == "__main__":
    main()
