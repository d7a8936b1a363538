"""End to end on Kafka and PostgreSQL, five services: from the HTTP response closing a deal to the commission line
on compensation's lines API and to forecast's closed won, against reading the deal back from pipeline.

    .venv/bin/python bench/end_to_end.py [--rate 200] [--seconds 10] [--rounds 3] [--sample 5]
                                         [--kafka 127.0.0.1:29092] [--pg postgresql://...]

As deployed: each of the five services in its own process (uvicorn, its own PostgreSQL database, relay and
consumer on Kafka), under a fresh topic namespace; databases dropped after. Before the rounds: reps in
territory, a flat 5% plan assigned to each in compensation. Each round:
1. rate × seconds deals created through pipeline's API (16 clients), then the services left to settle (every
   deal in forecast's projection), so the closes are not queued behind the creations;
2. the deals closed won through pipeline's API at the offered rate (open loop: a close is sent at its time
   whatever the previous ones are doing; at most 64 connections);
3. per deal, from the close's HTTP response:
   (a) compensation: the deal's first commission line on GET /v1/commissions (polled every 20 ms, paging
       forward from the last line seen, so one request sees every new line);
   (b) forecast: the deal counted closed won in forecast's projection (forecast_deals.status = 'won', what
       its forecast and closed-won queries read; polled every 20 ms in one query for every deal waiting);
   baseline (a no-op on the same path): every --sample-th deal read back from pipeline (GET /v1/deals/{id})
   right after its close, the time until that answer shows it won.
Prints p50/p99 of each, the achieved close rate (closes answered / time from the first send to the last
answer) and how many deals reached each side; medians over --rounds.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared.testing import auth_headers  # noqa: E402

KAFKA = os.environ.get("COXSWAIN_TEST_KAFKA", "127.0.0.1:29092")
PG = os.environ.get("COXSWAIN_TEST_PG_DSN", "postgresql://coxswain:coxswain@127.0.0.1:56432/coxswain_test")
SERVICES = ("territory", "compensation", "pipeline", "forecast", "leads")
OPS = auth_headers("ops")
REPS = [f"e2e-rep-{i:02d}" for i in range(20)]
POLL = 0.02


def serve(service: str, url: str, namespace: str, port: int, kafka: str) -> None:
    """A child process: one service on Kafka, its own database, an HTTP server on `port`."""
    import uvicorn

    from shared.operations.installed import installed_service
    from shared.settings import PlatformSettings

    platform = PlatformSettings(bus="kafka", kafka_bootstrap=kafka, namespace=namespace, environment="test",
                               rate_limit_per_minute=0, json_logs=False, log_level="WARNING")
    found = installed_service(service)
    app = found.create_app(found.settings(database_url=url, platform=platform, port=port))
    uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")).run()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    namespace: str
    urls: dict[str, str] = field(default_factory=dict)  # database URLs
    ports: dict[str, int] = field(default_factory=dict)
    children: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def api(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"


async def _admin(dsn: str, statement: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def start_cluster(kafka: str, dsn: str, logs: Path) -> Cluster:
    cluster = Cluster(namespace=f"e2e{uuid.uuid4().hex[:8]}")
    for service in SERVICES:
        name = f"{cluster.namespace}_{service}"
        await _admin(dsn, f'CREATE DATABASE "{name}"')
        cluster.urls[service] = make_url(dsn).set(drivername="postgresql+asyncpg", database=name).render_as_string(
            hide_password=False)
        cluster.ports[service] = _free_port()
        log = (logs / f"{cluster.namespace}-{service}.log").open("wb")
        cluster.children.append(subprocess.Popen(
            [sys.executable, __file__, "--serve", service, cluster.urls[service], cluster.namespace,
             str(cluster.ports[service]), kafka], stdout=log, stderr=subprocess.STDOUT))
    async with httpx.AsyncClient() as client:
        for service in SERVICES:
            for _ in range(600):
                try:
                    if (await client.get(f"{cluster.api(service)}/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
            else:
                raise RuntimeError(f"{service} did not become ready (log in {logs})")
    return cluster


async def stop_cluster(cluster: Cluster, dsn: str) -> None:
    for child in cluster.children:
        child.terminate()
    for child in cluster.children:
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    for service in cluster.urls:
        await _admin(dsn, f'DROP DATABASE IF EXISTS "{cluster.namespace}_{service}" WITH (FORCE)')


async def _ok(response: httpx.Response) -> dict[str, Any]:
    if response.status_code not in (200, 201):
        raise RuntimeError(f"{response.request.method} {response.request.url}: {response.status_code} {response.text}")
    return response.json()  # type: ignore[no-any-return]


REJECTED: Counter[str] = Counter()  # answers a client retries (503 database busy, 429), by request


async def _call(client: httpx.AsyncClient, method: str, url: str, what: str, body: Any = None) -> dict[str, Any]:
    """As a client does: a 503 or 429 is retried after a short backoff (and counted)."""
    backoff = 0.05
    while True:
        response = await client.request(method, url, json=body)
        if response.status_code not in (429, 503):
            return await _ok(response)
        REJECTED[what] += 1
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, 1.0)


async def organise(cluster: Cluster) -> None:
    """Reps in territory (pipeline, forecast and compensation learn them from rep.upserted); a flat plan."""
    async with httpx.AsyncClient(headers=OPS, timeout=60) as client:
        territory, compensation = cluster.api("territory"), cluster.api("compensation")
        await _ok(await client.post(f"{territory}/v1/teams", json={"id": "e2e", "name": "e2e"}))
        for rep in REPS:
            await _ok(await client.post(f"{territory}/v1/reps", json={
                "id": rep, "name": rep, "email": f"{rep}@corp.example", "team_id": "e2e", "capacity": 10}))
        await _ok(await client.post(f"{compensation}/v1/plans", json={
            "id": "flat", "name": "Flat", "effective_from": "2000-01-01", "currency": "USD",
            "period_kind": "quarter", "components": [{"kind": "rate", "name": "flat", "rate": "0.05"}]}))
        for rep in REPS:
            await _ok(await client.post(f"{compensation}/v1/plans/flat/assignments",
                                        json={"rep_id": rep, "starts_on": "2000-01-01"}))


async def _won_in_forecast(conn: asyncpg.Connection, deal_ids: list[str]) -> set[str]:
    rows = await conn.fetch("SELECT deal_id FROM forecast_deals WHERE status = 'won' AND deal_id = ANY($1::text[])",
                            deal_ids)
    return {r["deal_id"] for r in rows}


async def _in_forecast(conn: asyncpg.Connection, deal_ids: list[str]) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM forecast_deals WHERE deal_id = ANY($1::text[])", deal_ids))


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


async def one_round(cluster: Cluster, rate: float, seconds: float, sample: int, round_no: int) -> dict[str, float]:
    count = int(rate * seconds)
    pipeline, compensation = cluster.api("pipeline"), cluster.api("compensation")
    forecast_dsn = make_url(cluster.urls["forecast"]).set(drivername="postgresql").render_as_string(
        hide_password=False)
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with AsyncExitStack() as stack:
        client = await stack.enter_async_context(httpx.AsyncClient(headers=OPS, timeout=300, limits=limits))
        fdb = await asyncpg.connect(forecast_dsn)
        stack.push_async_callback(fdb.close)
        # 1. the deals, created and settled
        deal_ids: list[str] = []
        created_at = time.perf_counter()
        queue = list(range(count))

        async def creator() -> None:
            while queue:
                i = queue.pop()
                body = {"name": f"e2e {round_no}-{i}", "amount": f"{1000 + i % 5000}.00", "currency": "USD",
                        "owner_id": REPS[i % len(REPS)]}
                deal_ids.append((await _call(client, "POST", f"{pipeline}/v1/deals", "create", body))["id"])

        await asyncio.gather(*(creator() for _ in range(16)))
        create_rate = count / (time.perf_counter() - created_at)
        while await _in_forecast(fdb, deal_ids) < count:
            await asyncio.sleep(0.2)
        settled = time.perf_counter() - created_at
        # where compensation's lines are now: only lines after it are this round's
        last_line = 0
        page = await _ok(await client.get(f"{compensation}/v1/commissions", params={"limit": 1}))
        while page["items"]:
            last_line = page["items"][-1]["id"]
            if not page.get("next_cursor"):
                break
            page = await _ok(await client.get(f"{compensation}/v1/commissions",
                                              params={"limit": 500, "cursor": page["next_cursor"]}))

        # 2. the closes at the offered rate, 3. the watchers
        answered: dict[str, float] = {}
        sent: dict[str, float] = {}
        commission_seen: dict[str, float] = {}
        forecast_seen: dict[str, float] = {}
        readback: list[float] = []
        done = asyncio.Event()

        async def close(i: int, deal_id: str) -> None:
            sent[deal_id] = time.perf_counter()
            await _call(client, "POST", f"{pipeline}/v1/deals/{deal_id}/close", "close", {"outcome": "won"})
            answered[deal_id] = time.perf_counter()
            if i % sample == 0:
                while True:
                    deal = await _call(client, "GET", f"{pipeline}/v1/deals/{deal_id}", "read back")
                    if deal["status"] == "won":
                        readback.append(time.perf_counter() - answered[deal_id])
                        break

        async def watch_compensation() -> None:
            nonlocal last_line
            from shared.http.pagination import encode_cursor
            ours = set(deal_ids)
            while not done.is_set():
                cursor = encode_cursor({"after": last_line})
                page = await _call(client, "GET", f"{compensation}/v1/commissions?limit=500&cursor={cursor}",
                                   "commissions")
                now = time.perf_counter()
                for line in page["items"]:
                    last_line = max(last_line, line["id"])
                    if line["deal_id"] in ours and line["deal_id"] not in commission_seen:
                        commission_seen[line["deal_id"]] = now
                if not page.get("next_cursor"):
                    await asyncio.sleep(POLL)

        async def watch_forecast() -> None:
            while not done.is_set():
                waiting = [d for d in sent if d not in forecast_seen]
                if waiting:
                    found = await _won_in_forecast(fdb, waiting)
                    now = time.perf_counter()
                    for deal_id in found:
                        forecast_seen[deal_id] = now
                await asyncio.sleep(POLL)

        watchers = [asyncio.create_task(watch_compensation()), asyncio.create_task(watch_forecast())]
        REJECTED.clear()
        try:
            started = time.perf_counter()
            closes = []
            for i, deal_id in enumerate(deal_ids):
                delay = started + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                closes.append(asyncio.create_task(close(i, deal_id)))
            await asyncio.gather(*closes)
            achieved = len(answered) / (max(answered.values()) - started)
            deadline = time.perf_counter() + max(120.0, 4 * seconds)
            while (len(commission_seen) < count or len(forecast_seen) < count) and time.perf_counter() < deadline:
                if any(w.done() for w in watchers):
                    break
                await asyncio.sleep(0.1)
            done.set()
            await asyncio.gather(*watchers)
        finally:
            for watcher in watchers:
                watcher.cancel()

    def latencies(seen: dict[str, float]) -> list[float]:
        return [max(0.0, seen[d] - answered[d]) * 1000 for d in seen if d in answered]

    comp, fore, back = latencies(commission_seen), latencies(forecast_seen), [x * 1000 for x in readback]
    result = {"offered_per_s": rate, "achieved_per_s": achieved, "deals": count,
              "commission_seen": len(commission_seen), "forecast_seen": len(forecast_seen),
              "commission_p50_ms": _pct(comp, 0.5), "commission_p99_ms": _pct(comp, 0.99),
              "forecast_p50_ms": _pct(fore, 0.5), "forecast_p99_ms": _pct(fore, 0.99),
              "readback_p50_ms": _pct(back, 0.5), "readback_p99_ms": _pct(back, 0.99),
              "create_per_s": create_rate, "settle_s": settled, "closes_retried": REJECTED["close"],
              "reads_retried": REJECTED["read back"]}
    print(f"round {round_no}: {count} deals created at {create_rate:.1f}/s (settled in {settled:.1f}s); closes "
          f"offered {rate:.0f}/s, achieved {achieved:.1f}/s; commission line p50 {result['commission_p50_ms']:.0f} "
          f"ms p99 {result['commission_p99_ms']:.0f} ms ({len(commission_seen)}/{count}); forecast closed won "
          f"p50 {result['forecast_p50_ms']:.0f} ms p99 {result['forecast_p99_ms']:.0f} ms "
          f"({len(forecast_seen)}/{count}); read-back baseline p50 {result['readback_p50_ms']:.0f} ms p99 "
          f"{result['readback_p99_ms']:.0f} ms ({len(back)}); answers retried (503/429): {dict(REJECTED)}",
          flush=True)
    return result


async def bench(rate: float, seconds: float, rounds: int, sample: int, kafka: str, dsn: str) -> None:
    logs = Path("/tmp/coxswain-e2e-logs")
    logs.mkdir(exist_ok=True)
    cluster = await start_cluster(kafka, dsn, logs)
    try:
        await organise(cluster)
        await asyncio.sleep(5)  # consumers join their groups; the org events reach every service
        results = [await one_round(cluster, rate, seconds, sample, n) for n in range(1, rounds + 1)]
    finally:
        await stop_cluster(cluster, dsn)
    median = {k: statistics.median(r[k] for r in results) for k in results[0]}
    print(f"median of {rounds}: offered {rate:.0f} closes/s, achieved {median['achieved_per_s']:.1f}/s; "
          f"close → commission line p50 {median['commission_p50_ms']:.0f} ms, p99 {median['commission_p99_ms']:.0f}"
          f" ms; close → forecast closed won p50 {median['forecast_p50_ms']:.0f} ms, p99 "
          f"{median['forecast_p99_ms']:.0f} ms; baseline close → read back won p50 {median['readback_p50_ms']:.0f} "
          f"ms, p99 {median['readback_p99_ms']:.0f} ms; ratio p99 commission/read-back "
          f"{median['commission_p99_ms'] / max(median['readback_p99_ms'], 1e-9):.1f}")
    print(json.dumps({k: round(v, 2) for k, v in median.items()}))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        _, _, service, url, namespace, port, kafka = sys.argv
        serve(service, url, namespace, int(port), kafka)
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=200.0, help="closes per second offered")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long closes are offered (rate × seconds "
                                                                     "deals)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sample", type=int, default=5, help="every SAMPLE-th deal is read back (baseline)")
    parser.add_argument("--kafka", default=KAFKA)
    parser.add_argument("--pg", default=PG)
    args = parser.parse_args()
    asyncio.run(bench(args.rate, args.seconds, args.rounds, args.sample, args.kafka, args.pg))


if __name__ == "__main__":
    main()
