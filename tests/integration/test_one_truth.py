"""One truth across all five services, on real Kafka and PostgreSQL: one seeded random workload through the APIs
(reps, teams and territories in territory; plans and quotas in compensation; leads captured, routed by territory
and assigned by leads, moved along their statuses, converted into deals, re-routed when a rep is deactivated and
when their follow-up SLA is breached; deals created, converted from leads, moved, closed won and lost, reopened,
re-split, re-owned and re-priced in pipeline), then the same questions asked of every service that answers
them agree exactly — won per rep and quarter (forecast's closed won in the splits view, compensation's
credited, territory coverage's won) and attainment per rep and quarter, equal to an oracle computed here from
pipeline's final deals (each split rep percent × amount to the cent, half-even; the owner 100% without); and
open leads per rep (leads' own list against territory coverage's `open_leads`)."""
from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Iterable
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pytest
from sqlalchemy import select

from services.leads.domain.leads import CONVERTIBLE, OPEN_STATUSES, TRANSITIONS
from services.leads.handlers import EVENT_HANDLERS as LEADS_HANDLES
from services.leads.workers import sweep_once
from services.territory.handlers import EVENT_HANDLERS as TERRITORY_HANDLES
from shared.clock import FixedClock
from shared.db.plumbing import outbox, processed_events
from shared.testing import auth_headers, eventually
from shared.testing.backends import KafkaBackend
from shared.testing.harness import RunningService, running_service

pytestmark = pytest.mark.integration
OPS = auth_headers("ops")
REPS = ("r1", "r2", "r3", "r4", "r5", "r6")
SELLERS = ("r1", "r2", "r3", "r4", "r6")  # r5 has quotas and never a deal: a zero row, 0% attainment
QUARTERS = ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")
SPLITS = (("60", "40"), ("33.33", "33.33", "33.34"), ("50", "25", "25"), ("12.5", "87.5"))
STAGES = ("discovery", "proposal", "negotiation")
LEAD_ONLY = "r7"  # holds routed leads, is deactivated mid-workload; never a deal, a quota or a plan
TERRITORIES = (  # no default territory: a Kenyan lead matches nothing and waits unplaced
    ("emea", ["r1", "r2", LEAD_ONLY], ["DE", "FR"]), ("uk", ["r3", LEAD_ONLY], ["GB"]),
    ("americas", ["r4", "r6"], ["US", "BR"]), ("apac", [LEAD_ONLY], ["JP", "AU"]))  # apac: nobody after r7 leaves
COUNTRIES = ("Germany", "France", "United Kingdom", "United States", "Brazil", "Japan", "Australia", "Kenya")
Won = dict[tuple[str, str], Decimal]


def quarter_of(at: str) -> str:
    return f"{at[:4]}-Q{(int(at[5:7]) - 1) // 3 + 1}"


def oracle(deals: list[dict]) -> Won:
    """Won per (rep, quarter) from the final deals, computed apart from the services' code."""
    won: Won = {}
    for d in deals:
        if d["status"] != "won":
            continue
        shares = [(s["rep_id"], Decimal(s["percent"])) for s in d["splits"]] or [(d["owner_id"], Decimal(100))]
        for rep, percent in shares:
            key = (rep, quarter_of(d["closed_at"]))
            share = (Decimal(d["amount"]) * percent / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
            won[key] = won.get(key, Decimal(0)) + share
    return won


class Workload:
    """About 240 changes on a clock that walks through 2026, chosen by a seeded generator: three in four to deals,
    one in four to leads (captured, moved along their statuses, converted into deals that join the rest)."""

    def __init__(self, pipeline: RunningService, leads: RunningService, territory: RunningService,
                 clock: FixedClock, seed: int) -> None:
        self.pipeline, self.leads, self.territory = pipeline, leads, territory
        self.clock, self.rng = clock, random.Random(seed)
        self.deals: dict[str, str] = {}  # id → status
        self.lead_ids: list[str] = []
        self.converted = self.breached = 0

    async def run(self, steps: int) -> None:
        for i in range(steps):
            if i == steps // 2:  # r7's open leads go to the other members of emea and uk, or (apac) to nobody
                r = await self.territory.client.post(f"/v1/reps/{LEAD_ONLY}/deactivate", headers=OPS)
                assert r.status_code == 200, r.text
            if i in (steps * 3 // 4, steps - 1):  # untouched leads past their follow-up deadline are re-routed
                self.breached += await sweep_once(self.leads.runtime.uow)
            await self.step()

    def splits(self) -> list[dict[str, str]]:
        percents = self.rng.choice(SPLITS)
        reps = self.rng.sample(REPS[:4] + ("r6",), len(percents))
        return [{"rep_id": r, "percent": p} for r, p in zip(reps, percents, strict=True)]

    def amount(self) -> str:
        return f"{self.rng.randint(100, 50_000)}.{self.rng.randint(0, 99):02d}"

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict:
        r = await self.pipeline.client.request(method, path, headers=OPS, json=body)
        assert r.status_code in (200, 201), r.text
        return r.json()  # type: ignore[no-any-return]

    async def step(self) -> None:
        if self.rng.random() < 0.25:  # minutes only: the deals' steps walk the year as before
            self.clock.advance(minutes=self.rng.randint(1, 600))
            await self.lead_step()
            return
        self.clock.advance(days=self.rng.randint(0, 3), minutes=self.rng.randint(1, 600))  # ~180 steps: Jan to Nov
        open_ = [d for d, s in self.deals.items() if s == "open"]
        closed = [d for d, s in self.deals.items() if s != "open"]
        won = [d for d, s in self.deals.items() if s == "won"]
        roll = self.rng.random()
        if roll < 0.25 or not self.deals:
            body: dict[str, Any] = {"name": "deal", "amount": self.amount(), "currency": "USD",
                                    "owner_id": self.rng.choice(SELLERS)}
            if self.rng.random() < 0.4:
                body["splits"] = self.splits()
            self.deals[(await self.call("POST", "/v1/deals", body))["id"]] = "open"
        elif roll < 0.35 and open_:
            moving = await self.call("GET", f"/v1/deals/{self.rng.choice(open_)}")
            stage = self.rng.choice([s for s in STAGES if s != moving["stage_id"]])  # a move to where it is: 409
            await self.call("POST", f"/v1/deals/{moving['id']}/stage", {"stage_id": stage})
        elif roll < 0.6 and open_:
            deal, outcome = self.rng.choice(open_), "won" if self.rng.random() < 0.75 else "lost"
            await self.call("POST", f"/v1/deals/{deal}/close",
                            {"outcome": outcome, **({"lost_reason": "price"} if outcome == "lost" else {})})
            self.deals[deal] = outcome
        elif roll < 0.7 and closed:
            deal = self.rng.choice(closed)
            await self.call("POST", f"/v1/deals/{deal}/reopen")
            self.deals[deal] = "open"
        else:
            await self.change(self.rng.choice(won + open_ if won and self.rng.random() < 0.6 else list(self.deals)))

    async def change(self, deal: str) -> None:
        """An amount, the splits or the owner changed — on an open or a won deal."""
        which = self.rng.random()
        if which < 0.45:
            body: dict[str, Any] = {"amount": self.amount()}
        elif which < 0.8:
            body = {"splits": self.splits() if self.rng.random() < 0.7 else []}
        else:
            body = {"owner_id": self.rng.choice(SELLERS)}
        await self.call("PATCH", f"/v1/deals/{deal}", body)

    async def lead_step(self) -> None:
        roll = self.rng.random()
        if roll < 0.6 or not self.lead_ids:
            n = len(self.lead_ids)  # distinct emails and companies: no capture merges into another
            r = await self.leads.client.post("/v1/leads", headers=OPS, json={
                "email": f"buyer{n}@c{n}.example", "name": f"Buyer {n}", "company": f"Company {n}",
                "country": self.rng.choice(COUNTRIES)})
            assert r.status_code == 201, r.text
            self.lead_ids.append(r.json()["lead"]["id"])
        elif roll < 0.9:
            lead = await self.lead(self.rng.choice(self.lead_ids))
            moves = sorted(TRANSITIONS[lead["status"]] - {"converted"})
            if moves:
                status = self.rng.choice(moves)
                body = {"status": status, **({"disqualified_reason": "no budget"} if status == "disqualified" else {})}
                r = await self.leads.client.patch(f"/v1/leads/{lead['id']}", headers=OPS, json=body)
                assert r.status_code == 200, r.text
        else:
            await self.convert()

    async def lead(self, lead_id: str) -> dict[str, Any]:
        r = await self.leads.client.get(f"/v1/leads/{lead_id}", headers=OPS)
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    async def convert(self) -> None:
        """A lead a seller holds becomes a deal in pipeline, which then changes like any other deal."""
        await leads_settled(self.leads, self.territory)  # owners are territory's latest choices
        page = (await self.leads.client.get("/v1/leads", headers=OPS, params={"limit": 500})).json()["items"]
        candidates = sorted((lead["id"], lead["owner_id"]) for lead in page
                            if lead["status"] in CONVERTIBLE and lead["owner_id"] in SELLERS)
        if not candidates:
            return
        lead_id, owner_id = self.rng.choice(candidates)
        r = await self.leads.client.post(f"/v1/leads/{lead_id}/convert", headers=OPS,
                                         json={"amount": self.amount(), "currency": "USD"})
        assert r.status_code == 200, r.text
        deal_id = r.json()["deal_id"]
        opened = await eventually(lambda: self.pipeline.client.get(f"/v1/deals/{deal_id}", headers=OPS),
                                  until=lambda r: r.status_code == 200)
        assert (opened.json()["owner_id"], opened.json()["lead_id"]) == (owner_id, lead_id)
        self.deals[deal_id] = "open"
        self.converted += 1


async def organise(territory: RunningService, compensation: RunningService, rng: random.Random) -> dict:
    """Teams sales > east, west; six reps and r7 (leads only); territories by country; a flat plan for the six;
    quarterly quotas, and r4's Q3 set per month."""
    post, put = territory.client.post, compensation.client.put
    for team, parent in (("sales", None), ("east", "sales"), ("west", "sales")):
        assert (await post("/v1/teams", headers=OPS, json={"id": team, "name": team, "parent_team_id": parent})
                ).status_code == 201
    for i, rep in enumerate(REPS + (LEAD_ONLY,)):
        assert (await post("/v1/reps", headers=OPS, json={"id": rep, "name": rep, "email": f"{rep}@corp.example",
                                                          "team_id": ("east", "west")[i % 2], "capacity": 10})
                ).status_code == 201
    for territory_id, members, countries in TERRITORIES:
        r = await post("/v1/territories", headers=OPS, json={
            "id": territory_id, "name": territory_id, "rep_ids": members,
            "rules": [{"conditions": [{"field": "country", "op": "in", "value": countries}]}]})
        assert r.status_code == 201, r.text
    plan = await compensation.client.post("/v1/plans", headers=OPS, json={
        "id": "flat", "name": "Flat", "effective_from": "2000-01-01", "currency": "USD", "period_kind": "quarter",
        "components": [{"kind": "rate", "name": "flat", "rate": "0.05"}]})
    assert plan.status_code == 201, plan.text
    quotas: dict[tuple[str, str], str] = {}
    for rep in REPS:
        r = await compensation.client.post("/v1/plans/flat/assignments", headers=OPS,
                                           json={"rep_id": rep, "starts_on": "2000-01-01"})
        assert r.status_code == 201, r.text
        for quarter in QUARTERS:
            if rep == "r6" or (rep, quarter) == ("r4", "2026-Q3"):
                continue
            quotas[(rep, quarter)] = f"{rng.randint(20, 120) * 1000}.00"
    for month, amount in (("2026-07", "10000.00"), ("2026-08", "15000.00"), ("2026-09", "20000.00")):
        quotas[("r4", month)] = amount  # forecast and coverage read Q3 as 45,000; compensation has no Q3 quota
    for (rep, period), amount in quotas.items():
        r = await put(f"/v1/quotas/{rep}/{period}", headers=OPS, json={"amount": amount, "currency": "USD"})
        assert r.status_code == 200, r.text
    return quotas


async def forecast_view(forecast: RunningService) -> tuple[Won, dict[tuple[str, str], str | None]]:
    won: Won = {}
    attainment: dict[tuple[str, str], str | None] = {}
    for quarter in QUARTERS:
        r = await forecast.client.get("/v1/forecasts", headers=OPS, params={"period": quarter, "crediting": "splits"})
        for row in r.json()["items"]:
            assert row["currency"] == "USD"
            if Decimal(row["closed_won"]):
                won[(row["group"], quarter)] = Decimal(row["closed_won"])
            attainment[(row["group"], quarter)] = row["attainment_percent"]
    return won, attainment


async def coverage_view(territory: RunningService) -> tuple[Won, dict[tuple[str, str], str | None]]:
    won: Won = {}
    attainment: dict[tuple[str, str], str | None] = {}
    for quarter in QUARTERS:
        r = await territory.client.get("/v1/coverage", headers=OPS, params={"period": quarter})
        for row in r.json()["reps"]:
            if Decimal(row["won"].get("USD", "0")):
                won[(row["rep_id"], quarter)] = Decimal(row["won"]["USD"])
            attainment[(row["rep_id"], quarter)] = row["attainment_percent"].get("USD")
    return won, attainment


async def compensation_view(compensation: RunningService) -> tuple[Won, dict[tuple[str, str], str | None]]:
    won: Won = {}
    attainment: dict[tuple[str, str], str | None] = {}
    for rep in REPS:
        for quarter in QUARTERS:
            r = (await compensation.client.get(f"/v1/statements/{rep}/{quarter}", headers=OPS)).json()
            if Decimal(r["credited"]):
                won[(rep, quarter)] = Decimal(r["credited"])
            attainment[(rep, quarter)] = r["attainment"]
    return won, attainment


async def _event_ids(service: RunningService, table: str, types: Iterable[str] = ()) -> set[str]:
    column = outbox.c.event_id if table == "outbox" else processed_events.c.event_id
    query = select(column) if table != "outbox" else select(column).where(outbox.c.event_type.in_(list(types)))
    async with service.runtime.uow() as uow:
        return set((await uow.session.execute(query)).scalars())


async def _lead_events_handled(leads: RunningService, territory: RunningService) -> bool:
    """Every event either of leads and territory wrote for the other has been handled by it. Inboxes are read
    before outboxes: an event in flight, or one written because of it, is in an outbox and not yet in an inbox."""
    handled_by_territory = await _event_ids(territory, "inbox")
    handled_by_leads = await _event_ids(leads, "inbox")
    return (await _event_ids(leads, "outbox", TERRITORY_HANDLES) <= handled_by_territory
            and await _event_ids(territory, "outbox", LEADS_HANDLES) <= handled_by_leads)


async def leads_settled(leads: RunningService, territory: RunningService) -> None:
    await eventually(lambda: _lead_events_handled(leads, territory), timeout=120)


async def open_leads_in_leads(leads: RunningService) -> Counter[str | None]:
    owners: Counter[str | None] = Counter()
    cursor = None
    while True:
        page = (await leads.client.get("/v1/leads", headers=OPS, params={
            "limit": 500, **({"cursor": cursor} if cursor else {})})).json()
        owners.update(lead["owner_id"] for lead in page["items"] if lead["status"] in OPEN_STATUSES)
        if not (cursor := page.get("next_cursor")):
            return owners


def percent(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


async def test_every_service_answers_the_same(kafka_backend: KafkaBackend) -> None:
    rng = random.Random(int(os.environ.get("ONE_TRUTH_SEED", "20261202")))  # another seed: another workload
    clock = FixedClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    async with AsyncExitStack() as stack:
        services: dict[str, RunningService] = {}
        for name in ("territory", "compensation", "pipeline", "forecast", "leads"):
            own: dict[str, Any] = {"clock": clock} if name in ("pipeline", "leads") else {}
            if name == "leads":
                own["sla_sweep_seconds"] = 3600  # the workload sweeps by hand
            services[name] = await stack.enter_async_context(running_service(
                name, database_url=await kafka_backend.database_url(name), platform=kafka_backend.platform,
                embedded_bus=None, **own))
        territory, compensation, pipeline, forecast, leads = (services[n] for n in (
            "territory", "compensation", "pipeline", "forecast", "leads"))
        quotas = await organise(territory, compensation, rng)
        workload = Workload(pipeline, leads, territory, clock, seed=rng.randint(0, 10**6))
        await workload.run(240)
        finals = [await workload.call("GET", f"/v1/deals/{d}") for d in workload.deals]
        expected = oracle(finals)
        assert len(expected) >= 10 and len({q for _, q in expected}) >= 3  # a workload worth checking
        assert any(d["splits"] and d["status"] == "won" for d in finals)
        assert any(d["lead_id"] for d in finals)  # converted leads' deals joined the deal workload

        # open leads per rep: leads' own list against coverage, once every event between them is handled
        await leads_settled(leads, territory)
        in_leads = await open_leads_in_leads(leads)
        coverage = (await territory.client.get("/v1/coverage", headers=OPS, params={"rollup": "false"})).json()
        in_coverage = {row["rep_id"]: row["open_leads"] for row in coverage["reps"]}
        assert {rep: in_leads.get(rep, 0) for rep in in_coverage} == in_coverage
        assert set(in_leads) - {None} <= set(in_coverage)
        assert in_leads[None] == (coverage["unplaced_leads"]
                                  + sum(t["waiting_without_rep"] for t in coverage["territories"]))
        assert in_coverage[LEAD_ONLY] == 0 and in_coverage["r5"] == 0  # deactivated; in no territory
        # not a vacuous agreement: leads held by reps and waiting for nobody, converted, breached, moved off r7
        assert sum(in_coverage.values()) >= 5 and in_leads[None] >= 1
        assert workload.converted >= 2 and workload.breached >= 1
        reasons = [a["reason"] for lead_id in workload.lead_ids
                   for a in (await workload.lead(lead_id))["assignments"]]
        assert any(r.startswith(f"routed: rep {LEAD_ONLY} deactivated") for r in reasons)

        f_won, f_att = (await eventually(lambda: forecast_view(forecast), until=lambda v: v[0] == expected,
                                         timeout=120))
        c_won, c_att = (await eventually(lambda: compensation_view(compensation),
                                         until=lambda v: v[0] == expected, timeout=120))
        t_won, t_att = (await eventually(lambda: coverage_view(territory), until=lambda v: v[0] == expected,
                                         timeout=120))
        assert f_won == c_won == t_won == expected

        # attainment: the same number (4 places) in all three wherever the service has the quota
        for rep in REPS:
            for quarter in QUARTERS:
                key = (rep, quarter)
                quota = 45000 if key == ("r4", "2026-Q3") else quotas.get(key)  # monthly: 10,000 + 15,000 + 20,000
                credited = expected.get(key, Decimal(0))
                hand = (None if quota is None else
                        (credited * 100 / Decimal(quota)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN))
                assert percent(c_att[key]) == hand, key
                assert percent(f_att.get(key)) == hand, key
                assert percent(t_att.get(key)) == hand, key
        # r5: quotas, no deals — a forecast row at 0%
        assert all(f_att[("r5", q)] == "0.0000" for q in QUARTERS)
