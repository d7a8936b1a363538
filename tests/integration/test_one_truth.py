"""One truth across services, on real Kafka and PostgreSQL: a seeded random workload through the APIs (reps and
teams in territory; plans and quotas in compensation; deals created, moved, closed won and lost, reopened,
re-split, re-owned and re-priced in pipeline), then the same questions asked of every service that answers
them agree exactly — won per rep and quarter (forecast's closed won in the splits view, compensation's
credited, territory coverage's won) and attainment per rep and quarter — and equal an oracle computed here
from pipeline's final deals (each split rep percent × amount to the cent, half-even; the owner 100% without)."""
from __future__ import annotations

import random
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pytest

from shared.clock import FixedClock
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
    """About 150 deal changes on a clock that walks through 2026, chosen by a seeded generator."""

    def __init__(self, pipeline: RunningService, clock: FixedClock, seed: int) -> None:
        self.pipeline, self.clock, self.rng = pipeline, clock, random.Random(seed)
        self.deals: dict[str, str] = {}  # id → status

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
        self.clock.advance(days=self.rng.randint(0, 4), minutes=self.rng.randint(1, 600))
        open_ = [d for d, s in self.deals.items() if s == "open"]
        closed = [d for d, s in self.deals.items() if s != "open"]
        won = [d for d, s in self.deals.items() if s == "won"]
        roll = self.rng.random()
        if roll < 0.25 or not self.deals:
            body = {"name": "deal", "amount": self.amount(), "currency": "USD", "owner_id": self.rng.choice(SELLERS)}
            if self.rng.random() < 0.4:
                body["splits"] = self.splits()
            self.deals[(await self.call("POST", "/v1/deals", body))["id"]] = "open"
        elif roll < 0.35 and open_:
            await self.call("POST", f"/v1/deals/{self.rng.choice(open_)}/stage", {"stage_id": self.rng.choice(STAGES)})
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


async def organise(territory: RunningService, compensation: RunningService, rng: random.Random) -> dict:
    """Teams sales > east, west; six reps; a flat plan for all; quarterly quotas, and r4's Q3 set per month."""
    post, put = territory.client.post, compensation.client.put
    for team, parent in (("sales", None), ("east", "sales"), ("west", "sales")):
        assert (await post("/v1/teams", headers=OPS, json={"id": team, "name": team, "parent_team_id": parent})
                ).status_code == 201
    for i, rep in enumerate(REPS):
        assert (await post("/v1/reps", headers=OPS, json={"id": rep, "name": rep, "email": f"{rep}@corp.example",
                                                          "team_id": ("east", "west")[i % 2], "capacity": 10})
                ).status_code == 201
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


def percent(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


async def test_every_service_answers_the_same(kafka_backend: KafkaBackend) -> None:
    rng = random.Random(20261202)
    clock = FixedClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    async with AsyncExitStack() as stack:
        services: dict[str, RunningService] = {}
        for name in ("territory", "compensation", "pipeline", "forecast"):
            services[name] = await stack.enter_async_context(running_service(
                name, database_url=await kafka_backend.database_url(name), platform=kafka_backend.platform,
                embedded_bus=None, **({"clock": clock} if name == "pipeline" else {})))
        territory, compensation, pipeline, forecast = (services[n] for n in (
            "territory", "compensation", "pipeline", "forecast"))
        quotas = await organise(territory, compensation, rng)
        workload = Workload(pipeline, clock, seed=rng.randint(0, 10**6))
        for _ in range(150):
            await workload.step()
        finals = [await workload.call("GET", f"/v1/deals/{d}") for d in workload.deals]
        expected = oracle(finals)
        assert len(expected) >= 12 and len({q for _, q in expected}) >= 3  # a workload worth checking
        assert any(d["splits"] and d["status"] == "won" for d in finals)

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
