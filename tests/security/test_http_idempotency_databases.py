"""Idempotency-Key where it leans on the database, on SQLite (embedded) and PostgreSQL (integration): a retry
after a token refresh replays (the key is the principal's), keys expire after 24 h, a concurrent duplicate is a
409 while the first runs, and a key whose request never finished (the process died mid-request) becomes
retryable after the lock timeout instead of answering 409 forever."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from shared.clock import FixedClock
from shared.db.plumbing import idempotency_keys
from shared.testing.backends import Backend
from tests.security.http_demo import client_for, demo_app, gates
from tests.security.test_http_idempotency import QUOTE, keyed


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
async def app(tmp_path: Path, clock: FixedClock, backend: Backend) -> AsyncIterator[FastAPI]:
    async with demo_app(tmp_path, clock=clock, database_url=await backend.database_url("demo"),
                        idempotency_lock_seconds=60) as a:
        yield a


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as c:
        yield c


async def test_a_retry_after_a_token_refresh_replays_instead_of_creating_twice(
        client: httpx.AsyncClient) -> None:
    first = await client.post("/v1/quotes", json=QUOTE,
                              headers=keyed("deal-7", issued=datetime.now(UTC) - timedelta(hours=1)))
    retry = await client.post("/v1/quotes", json=QUOTE, headers=keyed("deal-7"))  # a new token, same sub
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry.headers["idempotent-replayed"] == "true"


async def test_keys_expire_after_24_hours(client: httpx.AsyncClient, clock: FixedClock) -> None:
    first = await client.post("/v1/quotes", json=QUOTE, headers=keyed("daily"))
    clock.advance(hours=23, minutes=59)
    within = await client.post("/v1/quotes", json=QUOTE, headers=keyed("daily"))
    assert within.json() == first.json() and within.headers["idempotent-replayed"] == "true"
    clock.advance(minutes=2)  # 24 h 01 min after the first request
    after = await client.post("/v1/quotes", json=QUOTE, headers=keyed("daily"))
    assert after.status_code == 201 and after.json()["id"] != first.json()["id"]
    assert "idempotent-replayed" not in after.headers


async def test_a_concurrent_duplicate_is_409_while_the_first_runs(client: httpx.AsyncClient) -> None:
    gates.entered.clear()
    gates.release.clear()
    first = asyncio.create_task(client.post("/v1/quotes/slow", json=QUOTE, headers=keyed("twice")))
    await asyncio.wait_for(gates.entered.wait(), timeout=30)
    duplicate = await client.post("/v1/quotes/slow", json=QUOTE, headers=keyed("twice"))
    assert duplicate.status_code == 409 and "in progress" in duplicate.json()["detail"]
    gates.release.set()
    done = await first
    replay = await client.post("/v1/quotes/slow", json=QUOTE, headers=keyed("twice"))
    assert done.status_code == replay.status_code == 201 and replay.json() == done.json()


async def test_a_key_whose_request_never_finished_is_retryable_after_the_lock_timeout(
        app: FastAPI, client: httpx.AsyncClient, clock: FixedClock) -> None:
    # What a process killed mid-request leaves behind: the key claimed, no answer, nobody to finish it.
    async with app.state.runtime.sessions() as session, session.begin():
        await session.execute(idempotency_keys.insert().values(
            key="orphan", principal="ops-ann", method="POST", path="/v1/quotes", body_sha256="0" * 64,
            created_at=clock.now()))
    clock.advance(seconds=59)
    busy = await client.post("/v1/quotes", json=QUOTE, headers=keyed("orphan"))
    assert busy.status_code == 409
    clock.advance(seconds=2)  # 61 s after the claim, past the 60 s lock
    retried = await client.post("/v1/quotes", json=QUOTE, headers=keyed("orphan"))
    assert retried.status_code == 201 and "idempotent-replayed" not in retried.headers
    replay = await client.post("/v1/quotes", json=QUOTE, headers=keyed("orphan"))
    assert replay.json() == retried.json() and replay.headers["idempotent-replayed"] == "true"
