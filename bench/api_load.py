"""Write endpoints under concurrent clients, against a bare endpoint of the same service in the same run.

    .venv/bin/python bench/api_load.py [--clients 8] [--requests 150] [--rounds 3] [--transport http|asgi]

Leads and pipeline run in-process on fresh PostgreSQL databases (COXSWAIN_TEST_PG_DSN, dev infra 56432), relay
and consumers off (only the request path is measured), served by uvicorn on local ports (`--transport http`,
real sockets) or called through httpx's ASGI transport. Each round, `--clients` concurrent clients send
`--requests` requests each to, in turn:
- leads GET /livez (the bare endpoint: routing, middleware, auth-free) and POST /v1/leads (capture a lead),
- pipeline GET /livez, POST /v1/deals (create a deal), POST /v1/deals/{id}/close (close the deals just made).
Prints per endpoint the median over rounds of requests/s and p99 latency, and the ratio to its service's
/livez in the same round (requests/s ratio, p99 ratio).
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import uvicorn
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from services.leads.app import create_app as leads_app
from services.leads.settings import LeadsSettings
from services.pipeline.app import create_app as pipeline_app
from services.pipeline.settings import PipelineSettings
from shared.settings import PlatformSettings
from shared.testing import auth_headers

ADMIN = os.environ.get("COXSWAIN_TEST_PG_DSN", "postgresql://coxswain:coxswain@127.0.0.1:56432/coxswain_test")
OPS = auth_headers("ops")
Call = Callable[[httpx.AsyncClient, int, int], Awaitable[httpx.Response]]


async def new_database(prefix: str) -> str:
    name = f"bench_{prefix}_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(ADMIN)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return make_url(ADMIN).set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False)


async def drop_database(url: str) -> None:
    conn = await asyncpg.connect(ADMIN)
    await conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    await conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def served(app: FastAPI, transport: str, clients: int) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the app: over a real local socket (uvicorn) or the ASGI transport."""
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    if transport == "asgi":
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app",
                                     timeout=60, limits=limits) as client:
            yield client
        return
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60, limits=limits) as client:
            yield client
    finally:
        server.should_exit = True
        await task


async def load(client: httpx.AsyncClient, call: Call, clients: int, requests: int) -> tuple[float, float]:
    """`clients` workers sending `requests` each; requests/s over the whole and p99 latency in ms."""
    latencies: list[float] = []

    async def worker(k: int) -> None:
        for i in range(requests):
            started = time.perf_counter()
            response = await call(client, k, i)
            latencies.append(time.perf_counter() - started)
            if response.status_code >= 300:
                raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text[:300]}")

    started = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(clients)))
    elapsed = time.perf_counter() - started
    p99 = statistics.quantiles(latencies, n=100)[98] * 1000
    return len(latencies) / elapsed, p99


def platform(tmp: Path) -> PlatformSettings:
    return PlatformSettings(bus="embedded", data_dir=tmp, environment="test", json_logs=False,
                            rate_limit_per_minute=0)


async def one_round(leads: httpx.AsyncClient, pipeline: httpx.AsyncClient, clients: int, requests: int,
                    tag: str) -> dict[str, tuple[float, float]]:
    deals: dict[tuple[int, int], tuple[str, int]] = {}

    async def livez(client: httpx.AsyncClient, k: int, i: int) -> httpx.Response:
        return await client.get("/livez")

    async def capture(client: httpx.AsyncClient, k: int, i: int) -> httpx.Response:
        return await client.post("/v1/leads", headers=OPS, json={
            "email": f"l{tag}-{k}-{i}@co{i % 97}.example", "first_name": f"F{i}", "last_name": f"L{k}",
            "company": f"Co {i % 97}", "country": "DE", "employee_count": 120, "industry": "SaaS"})

    async def create(client: httpx.AsyncClient, k: int, i: int) -> httpx.Response:
        response = await client.post("/v1/deals", headers=OPS, json={
            "name": f"Deal {tag}-{k}-{i}", "amount": "12500.00", "currency": "USD", "owner_id": f"rep-{k}"})
        body: dict[str, Any] = response.json()
        deals[(k, i)] = (body["id"], body["version"])
        return response

    async def close(client: httpx.AsyncClient, k: int, i: int) -> httpx.Response:
        deal_id, version = deals[(k, i)]
        return await client.post(f"/v1/deals/{deal_id}/close", headers=OPS,
                                 json={"outcome": "won", "version": version})

    return {
        "leads GET /livez": await load(leads, livez, clients, requests),
        "leads POST /v1/leads": await load(leads, capture, clients, requests),
        "pipeline GET /livez": await load(pipeline, livez, clients, requests),
        "pipeline POST /v1/deals": await load(pipeline, create, clients, requests),
        "pipeline POST /v1/deals/{id}/close": await load(pipeline, close, clients, requests),
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=150, help="per client and endpoint, each round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--transport", choices=("http", "asgi"), default="http")
    args = parser.parse_args()
    urls = [await new_database("leads"), await new_database("pipeline")]
    results: list[dict[str, tuple[float, float]]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp_dir:
            tmp = Path(tmp_dir)
            apps = [leads_app(LeadsSettings(database_url=urls[0], platform=platform(tmp)), start_runtime=False),
                    pipeline_app(PipelineSettings(database_url=urls[1], platform=platform(tmp)), start_runtime=False)]
            for app in apps:
                await app.state.runtime.migrate()
            async with served(apps[0], args.transport, args.clients) as leads, \
                    served(apps[1], args.transport, args.clients) as pipeline:
                for round_no in range(args.rounds):
                    results.append(await one_round(leads, pipeline, args.clients, args.requests, f"r{round_no}"))
                    print(f"round {round_no + 1}: " + ", ".join(
                        f"{name} {rate:,.0f}/s p99 {p99:.1f} ms" for name, (rate, p99) in results[-1].items()))
            for app in apps:
                await app.state.runtime.engine.dispose()
    finally:
        for url in urls:
            await drop_database(url)
    report(results, args)


def report(results: list[dict[str, tuple[float, float]]], args: argparse.Namespace) -> None:
    print(f"clients={args.clients} requests/client/endpoint={args.requests} rounds={args.rounds} "
          f"transport={args.transport} database=postgresql")
    print(f"{'endpoint':38} {'req/s':>8} {'p99 ms':>8} {'req/s ÷ livez':>14} {'p99 ÷ livez':>12}")
    for name in results[0]:
        bare = f"{name.split()[0]} GET /livez"
        rate = statistics.median(r[name][0] for r in results)
        p99 = statistics.median(r[name][1] for r in results)
        rate_ratio = statistics.median(r[name][0] / r[bare][0] for r in results)
        p99_ratio = statistics.median(r[name][1] / r[bare][1] for r in results)
        print(f"{name:38} {rate:8,.0f} {p99:8.1f} {rate_ratio:14.3f} {p99_ratio:12.2f}")


if __name__ == "__main__":
    asyncio.run(main())
