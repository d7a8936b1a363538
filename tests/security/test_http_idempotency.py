"""Idempotency-Key as the IETF draft (draft-ietf-httpapi-idempotency-key-header) and Stripe describe it:
scoped to the principal, only completed (2xx) answers stored, unauthenticated requests never stored, keys
expire after 24 h, a concurrent duplicate is a 409 while the first runs, and a key whose request never
finished (the process died) becomes retryable after the lock timeout."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from shared.clock import FixedClock
from shared.db.plumbing import idempotency_keys
from shared.http.auth import issue_token
from shared.settings import DEV_SECRET
from tests.security.http_demo import client_for, demo_app, gates

pytestmark = pytest.mark.unit

QUOTE = {"name": "Q1", "amount": 1250}


def bearer(sub: str = "ops-ann", *, issued: datetime | None = None) -> dict[str, str]:
    token = issue_token(DEV_SECRET, sub=sub, roles=["ops"], now=issued or datetime.now(UTC))
    return {"Authorization": f"Bearer {token}"}


def keyed(key: str, **who: str) -> dict[str, str]:
    return {**bearer(**who), "Idempotency-Key": key}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
async def app(tmp_path: Path, clock: FixedClock) -> AsyncIterator[FastAPI]:
    async with demo_app(tmp_path, clock=clock, idempotency_lock_seconds=60) as a:
        yield a


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as c:
        yield c


async def stored_keys(app: FastAPI) -> int:
    async with app.state.runtime.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(idempotency_keys))).scalar_one())


async def test_a_retry_after_a_token_refresh_replays_instead_of_creating_twice(client: httpx.AsyncClient) -> None:
    first = await client.post("/v1/quotes", json=QUOTE,
                              headers=keyed("deal-7", issued=datetime.now(UTC) - timedelta(hours=1)))
    retry = await client.post("/v1/quotes", json=QUOTE, headers=keyed("deal-7"))  # a new token, same sub
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry.headers["idempotent-replayed"] == "true"


async def test_keys_are_scoped_to_the_principal(client: httpx.AsyncClient) -> None:
    ann = await client.post("/v1/quotes", json=QUOTE, headers=keyed("k-1", sub="ops-ann"))
    bob = await client.post("/v1/quotes", json=QUOTE, headers=keyed("k-1", sub="ops-bob"))
    assert ann.status_code == bob.status_code == 201
    assert bob.json()["id"] != ann.json()["id"] and "idempotent-replayed" not in bob.headers


async def test_a_stored_422_does_not_block_the_corrected_retry(app: FastAPI, client: httpx.AsyncClient) -> None:
    wrong = await client.post("/v1/quotes", json={"name": "Q1", "amount": -5}, headers=keyed("fix-me"))
    assert wrong.status_code == 422 and await stored_keys(app) == 0  # only completed (2xx) answers are kept
    corrected = await client.post("/v1/quotes", json=QUOTE, headers=keyed("fix-me"))
    assert corrected.status_code == 201 and "idempotent-replayed" not in corrected.headers


async def test_a_5xx_is_never_stored(app: FastAPI, client: httpx.AsyncClient) -> None:
    crash = await client.post("/v1/quotes/broken", json=QUOTE, headers=keyed("boom"))
    assert crash.status_code == 500 and await stored_keys(app) == 0
    again = await client.post("/v1/quotes/broken", json=QUOTE, headers=keyed("boom"))
    assert again.status_code == 500 and "idempotent-replayed" not in again.headers


async def test_unauthenticated_requests_are_never_stored(app: FastAPI, client: httpx.AsyncClient) -> None:
    refused = await client.post("/v1/quotes", json=QUOTE,
                                headers={"Authorization": "Bearer forged", "Idempotency-Key": "anon"})
    anonymous = [await client.post("/v1/webhooks/unsigned", json=QUOTE, headers={"Idempotency-Key": "anon"})
                 for _ in range(2)]
    assert refused.status_code == 401 and [a.status_code for a in anonymous] == [202, 202]
    assert anonymous[1].json() != anonymous[0].json() and "idempotent-replayed" not in anonymous[1].headers
    assert await stored_keys(app) == 0


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


@pytest.mark.parametrize("key", [b"x" * 201, "caf\u00e9".encode(), "caf\u00e9".encode("latin-1"), b"tab\there"])
async def test_a_key_that_is_not_printable_ascii_or_too_long_is_400(client: httpx.AsyncClient, key: bytes) -> None:
    r = await client.post("/v1/quotes", json=QUOTE, headers={**bearer(), "Idempotency-Key": key})  # type: ignore[dict-item]
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "Idempotency-Key"
