"""A deterministic, realistic CloudEvents log built from the catalog models, for replay benchmarks.

    .venv/bin/python bench/event_log.py [--events 1000000] [--seed 14] [--out /tmp/coxswain-log.tsv]

What it holds, in the proportions of a sales organisation's year (2026-01-05 to 2026-11-27):
- the organisation first (team.upserted, rep.upserted, territory.upserted), now and then a rep updated;
- quota.set for every rep at the start of each quarter;
- leads: lead.created, lead.routed (territory's decision), lead.assigned, lead.status_changed, some
  lead.sla_breached (then routed and assigned again), and about a third converted (lead.converted and the deal
  it opens);
- deals (from conversions and created directly): deal.created, several deal.stage_changed, deal.updated
  (amount changes, now and then a new owner), deal.closed won or lost, and some deal.reopened and closed again.

Many lifecycles run at once (a pool of active leads and deals; each step advances a random one), so events
of different aggregates interleave as they do on a topic, and each aggregate's events stay in order with a
proper per-subject sequence (counted per producer, kind of aggregate and subject, as the outbox counts).
Envelopes are built with shared.events.new_event (ids drawn from the seeded generator) and encoded with
encode_event. Streaming: memory stays flat whatever --events is. `write` puts one record per line
(`type<TAB>json`) in a file and `read` streams it back, so a bench generates a log once and reuses it.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from shared.events import catalog as ev
from shared.events import encode_event, new_event
from shared.events.registry import REGISTRY, type_of

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
END = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
CURRENCY = "USD"
# The default pipeline's stages (pipeline's migration 0004): id, probability, forecast category.
STAGES: list[tuple[str, int, ev.ForecastCategory]] = [
    ("qualification", 10, "pipeline"), ("discovery", 25, "pipeline"), ("proposal", 50, "best_case"),
    ("negotiation", 75, "commit")]
WON: tuple[str, int, ev.ForecastCategory] = ("closed_won", 100, "closed")
LOST: tuple[str, int, ev.ForecastCategory] = ("closed_lost", 0, "omitted")
COUNTRIES = ["US", "CA", "MX", "BR", "AR", "GB", "IE", "FR", "DE", "NL", "BE", "ES", "PT", "IT", "CH", "AT",
             "SE", "NO", "DK", "FI", "PL", "CZ", "IN", "SG", "JP", "KR", "AU", "NZ", "ZA", "AE"]
INDUSTRIES = ["software", "retail", "finance", "health", "manufacturing", "education", "logistics", "energy"]
SOURCES = ["web", "event", "referral", "partner", "outbound", "import"]
PRODUCTS = ["core", "analytics", "api", "support"]
LOST_REASONS = ["price", "timing", "competitor", "no decision"]


@dataclass(frozen=True)
class Record:
    type: str
    subject: str
    value: bytes


@dataclass
class _Org:
    reps: list[str]
    team_of: dict[str, str]
    territory_of: dict[str, str]
    managers: dict[str, str]
    members: dict[str, list[str]] = field(default_factory=dict)


class EventLog:
    """`for record in EventLog(events=1_000_000, seed=14)`: exactly `events` Records, the same ones for the same
    arguments."""

    def __init__(self, events: int = 1_000_000, *, seed: int = 14, reps: int = 200, teams: int = 20,
                 active: int = 2000) -> None:
        self.events, self.seed, self.rep_count, self.team_count, self.active = events, seed, reps, teams, active

    # -- the envelope --------------------------------------------------------------------------------------
    def _record(self, data: BaseModel, subject: str, sequence: int, at: datetime) -> Record:
        event_type = type_of(type(data))
        event = new_event(type=event_type, source_service=REGISTRY[event_type].producer, subject=subject,
                          data=data, time=at, sequence=sequence)
        event = event.model_copy(update={"id": uuid.UUID(int=self._rng.getrandbits(128), version=4)})
        return Record(event_type, subject, encode_event(event))

    # -- the stream ----------------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Record]:
        self._rng = rng = random.Random(self.seed)
        self._org_sequences: Counter[str] = Counter()
        self._lead_no = self._deal_no = 0
        step = (END - START) / max(self.events, 1)
        self.now = START
        emitted = 0
        org = self._organisation()
        for data, subject in self._org_events(org):
            if emitted == self.events:
                return
            yield self._org_record(data, subject)
            emitted += 1
        quarters = [date(2026, m, 1) for m in (1, 4, 7, 10)]
        pool = [self._lifecycle(org) for _ in range(self.active)]
        while emitted < self.events:
            self.now += step * (0.5 + rng.random())
            if quarters and self.now.date() >= quarters[0]:
                quarter = quarters.pop(0)
                for rep in org.reps:
                    if emitted == self.events:
                        return
                    amount = Decimal(rng.randrange(150, 400) * 1000).quantize(Decimal("0.01"))
                    period = f"{quarter.year}-Q{(quarter.month - 1) // 3 + 1}"
                    yield self._org_record(ev.QuotaSet(rep_id=rep, period=period, amount=amount,
                                                       currency=CURRENCY), rep)
                    emitted += 1
                continue
            if rng.random() < 0.001:  # a rep's profile changes now and then (capacity, segments)
                rep = rng.choice(org.reps)
                yield self._org_record(self._rep(org, rep), rep)
                emitted += 1
                continue
            slot = rng.randrange(len(pool))
            record = next(pool[slot], None)
            while record is None:
                pool[slot] = self._lifecycle(org)
                record = next(pool[slot], None)
            yield record
            emitted += 1

    def _org_record(self, data: BaseModel, subject: str) -> Record:
        kind = type_of(type(data)).split(".")[1]
        self._org_sequences[f"{kind}:{subject}"] += 1
        return self._record(data, subject, self._org_sequences[f"{kind}:{subject}"], self.now)

    # -- the organisation ----------------------------------------------------------------------------------
    def _organisation(self) -> _Org:
        reps = [f"rep-{i:04d}" for i in range(self.rep_count)]
        teams = [f"team-{i:03d}" for i in range(self.team_count)]
        team_of = {rep: teams[i % len(teams)] for i, rep in enumerate(reps)}
        territory_of = {rep: f"terr-{COUNTRIES[i % len(COUNTRIES)].lower()}" for i, rep in enumerate(reps)}
        managers = {team: next(r for r in reps if team_of[r] == team) for team in teams}
        org = _Org(reps, team_of, territory_of, managers)
        for rep, territory in territory_of.items():
            org.members.setdefault(territory, []).append(rep)
        return org

    def _rep(self, org: _Org, rep: str) -> ev.RepUpserted:
        return ev.RepUpserted(rep_id=rep, name=f"Rep {rep[4:]}", email=f"{rep}@coxswain.test",
                              team_id=org.team_of[rep], active=True, capacity=self._rng.randrange(20, 80),
                              segments=[self._rng.choice(["smb", "mid", "enterprise"])])

    def _org_events(self, org: _Org) -> Iterator[tuple[BaseModel, str]]:
        for i, (team, manager) in enumerate(org.managers.items()):
            parent = None if i < 4 else f"team-{i % 4:03d}"
            yield ev.TeamUpserted(team_id=team, name=f"Team {i}", manager_rep_id=manager,
                                  parent_team_id=parent), team
        for rep in org.reps:
            yield self._rep(org, rep), rep
        for priority, country in enumerate(COUNTRIES):
            territory = f"terr-{country.lower()}"
            rule = ev.Rule(conditions=[ev.Condition(field="country", op="eq", value=country)])
            yield ev.TerritoryUpserted(territory_id=territory, name=country, priority=priority, rules=[rule],
                                       rep_ids=org.members.get(territory, [])), territory

    # -- lifecycles: each yields its aggregate's records in order, stamped with the stream's clock ------------
    def _lifecycle(self, org: _Org) -> Iterator[Record]:
        return self._lead(org) if self._rng.random() < 0.62 else self._deal(org, None)

    def _lead(self, org: _Org) -> Iterator[Record]:
        rng = self._rng
        self._lead_no += 1
        lead = f"lead-{self.seed}-{self._lead_no:08d}"
        own = _Sequences(self, lead)  # leads' sequence for the lead
        routed = _Sequences(self, lead)  # territory's, for its lead.routed decisions
        country = rng.choice(COUNTRIES)
        company = f"Company {rng.randrange(40_000)}"
        yield own.record(ev.LeadCreated(
            lead_id=lead, source=rng.choice(SOURCES), email=f"{lead}@example.test", name=f"Person {lead[-6:]}",
            company=company, country=country, industry=rng.choice(INDUSTRIES),
            employee_count=rng.choice([5, 20, 80, 300, 1200, 5000]), title=rng.choice(["CTO", "VP Sales", "Buyer"]),
            score=rng.randrange(0, 101), created_at=self.now))
        territory = f"terr-{country.lower()}"
        rep = rng.choice(org.members.get(territory) or org.reps)
        yield routed.record(ev.LeadRouted(lead_id=lead, territory_id=territory, rep_id=rep, reason="matched"))
        yield own.record(ev.LeadAssigned(lead_id=lead, rep_id=rep, territory_id=territory, assigned_at=self.now,
                                         reason="routed"))
        status = "new"
        if rng.random() < 0.1:  # nobody followed up in time: territory routes it to another member
            yield own.record(ev.LeadSlaBreached(lead_id=lead, rep_id=rep, due_at=self.now - timedelta(hours=1),
                                                breached_at=self.now, action="reroute"))
            previous, rep = rep, rng.choice(org.members.get(territory) or org.reps)
            yield routed.record(ev.LeadRouted(lead_id=lead, territory_id=territory, rep_id=rep, reason="sla_breach"))
            yield own.record(ev.LeadAssigned(lead_id=lead, rep_id=rep, territory_id=territory, assigned_at=self.now,
                                             previous_rep_id=previous, reason="sla_breach"))
        if rng.random() < 0.85:
            yield own.record(ev.LeadStatusChanged(lead_id=lead, from_status=status, to_status="working",
                                                  changed_at=self.now))
            status = "working"
        fate = rng.random()
        if fate < 0.35:
            if rng.random() < 0.7:
                yield own.record(ev.LeadStatusChanged(lead_id=lead, from_status=status, to_status="qualified",
                                                      changed_at=self.now))
            self._deal_no += 1
            deal = f"deal-{self.seed}-{self._deal_no:08d}"
            amount = _amount(rng)
            yield own.record(ev.LeadConverted(lead_id=lead, deal_id=deal, owner_id=rep, territory_id=territory,
                                              company=company, amount=amount, currency=CURRENCY,
                                              name=f"Person {lead[-6:]}", email=f"{lead}@example.test"))
            yield from self._deal(org, (deal, lead, rep, territory, company, amount))
        elif fate < 0.75:
            yield own.record(ev.LeadStatusChanged(lead_id=lead, from_status=status, to_status="disqualified",
                                                  changed_at=self.now, reason=rng.choice(["no budget", "spam"])))

    def _deal(self, org: _Org, converted: tuple[str, str, str, str, str, Decimal] | None) -> Iterator[Record]:
        rng = self._rng
        if converted is None:
            self._deal_no += 1
            deal, lead = f"deal-{self.seed}-{self._deal_no:08d}", None
            owner = rng.choice(org.reps)
            territory, company, amount = org.territory_of[owner], f"Company {rng.randrange(40_000)}", _amount(rng)
        else:
            deal, lead, owner, territory, company, amount = converted
        seq = _Sequences(self, deal)
        created = self.now
        splits: list[ev.Split] = []
        if rng.random() < 0.1:
            other = rng.choice([r for r in org.members[org.territory_of[owner]] if r != owner] or org.reps)
            if other != owner:
                splits = [ev.Split(rep_id=owner, percent=Decimal("60")), ev.Split(rep_id=other, percent=Decimal("40"))]
        stage, probability, category = STAGES[0]
        yield seq.record(ev.DealCreated(
            deal_id=deal, name=f"{company} deal", company=company, amount=amount, currency=CURRENCY, owner_id=owner,
            territory_id=territory, pipeline_id="default", stage_id=stage, probability=probability,
            forecast_category=category, expected_close_date=(created + timedelta(days=60)).date(), lead_id=lead,
            created_at=created, splits=splits, team_id=org.team_of[owner]))
        reopenings = 0
        while True:
            for _ in range(rng.choice([1, 2, 2, 3, 3, 4])):
                index = next(i for i, s in enumerate(STAGES) if s[0] == stage)
                target = STAGES[min(index + 1, len(STAGES) - 1)] if rng.random() < 0.85 else STAGES[max(index - 1, 0)]
                if target[0] == stage:
                    continue
                yield seq.record(self._moved(deal, stage, target, amount, owner, territory))
                stage, probability, category = target
                if rng.random() < 0.3:  # the amount is renegotiated on the way
                    amount = (amount * Decimal(rng.choice(["0.8", "0.9", "1.1", "1.25"]))).quantize(Decimal("0.01"))
                    yield seq.record(ev.DealUpdated(deal_id=deal, amount=amount, updated_at=self.now))
            if rng.random() < 0.04 and not splits:  # the deal changes hands
                owner = rng.choice(org.members[territory] if territory in org.members else org.reps)
                yield seq.record(ev.DealUpdated(deal_id=deal, owner_id=owner, updated_at=self.now))
            if rng.random() < 0.15:
                return  # still open at the end of the log
            outcome: Literal["won", "lost"] = "won" if rng.random() < 0.55 else "lost"
            target = WON if outcome == "won" else LOST
            yield seq.record(self._moved(deal, stage, target, amount, owner, territory))
            yield seq.record(ev.DealClosed(
                deal_id=deal, outcome=outcome, amount=amount, currency=CURRENCY, owner_id=owner, splits=splits,
                territory_id=territory, created_at=created, closed_at=self.now, pipeline_id="default",
                stage_id=target[0], lost_reason=rng.choice(LOST_REASONS) if outcome == "lost" else None,
                products=rng.sample(PRODUCTS, rng.randrange(1, 3)), new_logo=lead is not None and rng.random() < 0.5))
            if outcome == "won" and rng.random() < 0.08 and reopenings == 0:
                # a won deal amended afterwards: its amount corrected, then now and then reopened
                amount = (amount * Decimal("1.05")).quantize(Decimal("0.01"))
                yield seq.record(ev.DealUpdated(deal_id=deal, amount=amount, updated_at=self.now))
            if rng.random() >= 0.07 or reopenings >= 2:
                return
            reopenings += 1
            stage, probability, category = STAGES[3]
            yield seq.record(ev.DealReopened(deal_id=deal, stage_id=stage, reopened_at=self.now,
                                             probability=probability, forecast_category=category,
                                             amount=amount, currency=CURRENCY, owner_id=owner))

    def _moved(self, deal: str, stage: str, target: tuple[str, int, ev.ForecastCategory], amount: Decimal, owner: str,
               territory: str) -> ev.DealStageChanged:
        return ev.DealStageChanged(
            deal_id=deal, from_stage_id=stage, to_stage_id=target[0], probability=target[1],
            forecast_category=target[2], amount=amount, currency=CURRENCY, owner_id=owner,
            expected_close_date=(self.now + timedelta(days=30)).date(), changed_at=self.now, pipeline_id="default",
            territory_id=territory)


class _Sequences:
    """One producer's version counter for one aggregate (the outbox's `kind:subject` counter)."""

    def __init__(self, log: EventLog, subject: str) -> None:
        self.log, self.subject, self.last = log, subject, 0

    def record(self, data: BaseModel) -> Record:
        self.last += 1
        return self.log._record(data, self.subject, self.last, self.log.now)


def _amount(rng: random.Random) -> Decimal:
    """Deal sizes: mostly 5k-60k, a long tail up to a few hundred thousand."""
    return Decimal(min(500_000, int(rng.lognormvariate(10, 0.9)) + 2_000)).quantize(Decimal("0.01"))


# -- files ---------------------------------------------------------------------------------------------------
def write(records: Iterator[Record], path: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    partial = path.with_suffix(f"{path.suffix}.{os.getpid()}.partial")  # two writers never share a file
    with partial.open("wb") as out:
        for record in records:
            out.write(record.type.encode() + b"\t" + record.value + b"\n")
            counts[record.type] += 1
    partial.replace(path)
    return counts


def read(path: Path, types: set[str] | frozenset[str] | None = None) -> Iterator[Record]:
    """The records of a written log, in order (only those of `types`, when given)."""
    with path.open("rb") as source:
        for line in source:
            event_type, _, value = line.rstrip(b"\n").partition(b"\t")
            name = event_type.decode()
            if types is None or name in types:
                yield Record(name, "", value)


def cached_log(events: int, seed: int = 14, directory: Path = Path("/tmp")) -> Path:
    """The log for (events, seed) as a file, generated once and kept for later runs."""
    path = directory / f"coxswain-event-log-{events}-{seed}.tsv"
    if not path.exists():
        started = time.perf_counter()
        counts = write(iter(EventLog(events, seed=seed)), path)
        print(f"generated {sum(counts.values())} events in {time.perf_counter() - started:.1f}s -> {path}",
              file=sys.stderr)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--out", type=Path, default=None, help="file to write (default: the cache in /tmp)")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.out is None:
        path = cached_log(args.events, args.seed)
    else:
        path = args.out
        write(iter(EventLog(args.events, seed=args.seed)), path)
    counts = Counter(r.type for r in read(path))
    for event_type, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"{n:>9}  {n / max(sum(counts.values()), 1):6.1%}  {event_type}")
    print(f"{sum(counts.values())} events in {path} ({time.perf_counter() - started:.1f}s)")


if __name__ == "__main__":
    main()
