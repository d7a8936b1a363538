"""The fault suite's workload: an organisation, plans and quotas, then leads captured and deals won, all through
the services' HTTP APIs with a development token. It remembers what it was told succeeded, which is what
the checker expects to find everywhere."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from shared.testing import auth_headers
from tests.faults.cluster import Cluster

OPS = auth_headers("ops")
CURRENCY = "EUR"
RATE = Decimal("0.10")  # the flat plan every rep is on
QUOTA = Decimal("500000.00")
# territory → (its countries, its reps); every lead's country matches exactly one territory
TERRITORIES = {"emea": (["DE", "FR"], ["ana", "bo"]), "amer": (["US", "CA"], ["cy", "di"])}
REPS = [rep for _, reps in TERRITORIES.values() for rep in reps]


def quarter_of(moment: str) -> str:
    when = datetime.fromisoformat(moment)
    return f"{when.year}-Q{(when.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class WonDeal:
    deal_id: str
    owner_id: str
    amount: Decimal
    splits: tuple[tuple[str, Decimal], ...]  # (rep, percent)
    period: str

    def credit(self, rep_id: str) -> Decimal:
        percent = dict(self.splits)[rep_id]
        return (self.amount * percent / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class CapturedLead:
    lead_id: str
    territory_id: str


@dataclass
class Workload:
    cluster: Cluster
    won: list[WonDeal] = field(default_factory=list)
    leads: list[CapturedLead] = field(default_factory=list)
    quotas: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    _count: int = 0

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(headers=OPS, timeout=30)

    async def organise(self, period: str) -> None:
        """Reps, territories, a flat 10% plan for everyone and a quota per rep for the period."""
        async with self.client() as http:
            territory, compensation = self.cluster.url("territory"), self.cluster.url("compensation")
            await _ok(http.post(f"{territory}/v1/teams", json={"id": "sales", "name": "Sales"}))
            for rep in REPS:
                await _ok(http.post(f"{territory}/v1/reps", json={
                    "id": rep, "name": rep.title(), "email": f"{rep}@corp.example", "team_id": "sales",
                    "capacity": 100000}))
            for territory_id, (countries, reps) in TERRITORIES.items():
                await _ok(http.post(f"{territory}/v1/territories", json={
                    "id": territory_id, "name": territory_id.upper(), "rep_ids": reps,
                    "rules": [{"conditions": [{"field": "country", "op": "in", "value": countries}]}]}))
            await _ok(http.post(f"{compensation}/v1/plans", json={
                "id": "flat", "name": "Flat", "effective_from": "2000-01-01", "currency": CURRENCY,
                "period_kind": "quarter", "components": [{"kind": "rate", "name": "flat", "rate": str(RATE)}]}))
            for rep in REPS:
                await _ok(http.post(f"{compensation}/v1/plans/flat/assignments",
                                    json={"rep_id": rep, "starts_on": "2000-01-01"}))
                await _ok(http.put(f"{compensation}/v1/quotas/{rep}/{period}",
                                   json={"amount": str(QUOTA), "currency": CURRENCY}))
                self.quotas[(rep, period)] = QUOTA

    def _next(self) -> int:
        self._count += 1
        return self._count

    async def win_deal(self, http: httpx.AsyncClient, *, split_with: str | None = None,
                       split_first: bool = True) -> WonDeal:
        """Create a deal and close it won; amounts differ per deal (multiples of 20, so splits and 10% are
        exact cents)."""
        n = self._next()
        owner = REPS[n % len(REPS)]
        amount = Decimal(1000 + 20 * n).quantize(Decimal("0.01"))
        splits: tuple[tuple[str, Decimal], ...] = ((owner, Decimal(100)),)
        body: dict[str, object] = {"name": f"Deal {n}", "amount": str(amount), "currency": CURRENCY,
                                   "owner_id": owner}
        if split_with is not None and split_with != owner:
            pair = [(owner, Decimal(50)), (split_with, Decimal(50))]
            splits = tuple(pair if split_first else reversed(pair))
            body["splits"] = [{"rep_id": rep, "percent": str(p)} for rep, p in splits]
        pipeline = self.cluster.url("pipeline")
        created = await _ok(http.post(f"{pipeline}/v1/deals", json=body))
        closed = await _ok(http.post(f"{pipeline}/v1/deals/{created['id']}/close", json={"outcome": "won"}))
        deal = WonDeal(created["id"], owner, amount, splits, quarter_of(closed["closed_at"]))
        self.won.append(deal)
        return deal

    async def capture_lead(self, http: httpx.AsyncClient) -> CapturedLead:
        n = self._next()
        territory_id = list(TERRITORIES)[n % len(TERRITORIES)]
        country = TERRITORIES[territory_id][0][n % 2]
        body = await _ok(http.post(f"{self.cluster.url('leads')}/v1/leads", json={
            "email": f"buyer{n}@{self.cluster.namespace}-{n}.example", "name": f"Buyer {n}",
            "company": f"Company {n}", "country": country, "source": "web"}))
        lead = CapturedLead(body["lead"]["id"], territory_id)
        self.leads.append(lead)
        return lead

    async def burst(self, *, deals: int, leads: int = 0, concurrency: int = 8,
                    split_pairs: bool = False) -> None:
        """Many writes at once; with `split_pairs` every deal is split between two reps, in both orders."""
        jobs = asyncio.Semaphore(concurrency)

        async def one(i: int, http: httpx.AsyncClient) -> None:
            async with jobs:
                if i < deals:
                    partner = REPS[(i + 1) % len(REPS)] if split_pairs else None
                    await self.win_deal(http, split_with=partner, split_first=i % 2 == 0)
                else:
                    await self.capture_lead(http)

        async with self.client() as http:
            await asyncio.gather(*(one(i, http) for i in range(deals + leads)))

    async def trickle(self, seconds: float, *, every: float = 2.0) -> None:
        """Writes spread over a stretch of time: one deal won and one lead captured per beat."""
        loop = asyncio.get_running_loop()
        until = loop.time() + seconds
        async with self.client() as http:
            while loop.time() < until:
                await self.win_deal(http)
                await self.capture_lead(http)
                await asyncio.sleep(every)


async def _ok(request: Awaitable[httpx.Response]) -> dict[str, Any]:
    response = await request
    assert response.status_code in (200, 201), f"{response.request.method} {response.request.url}: " \
                                               f"{response.status_code} {response.text}"
    body: dict[str, Any] = response.json()
    return body


def this_quarter() -> str:
    return quarter_of(datetime.now(UTC).isoformat())


async def organised(cluster: Cluster, *, deals: int = 8, leads: int = 8) -> Workload:
    """A workload with the organisation in place and a first few deals and leads already flowing."""
    workload = Workload(cluster)
    await workload.organise(this_quarter())
    await workload.burst(deals=deals, leads=leads)
    return workload
