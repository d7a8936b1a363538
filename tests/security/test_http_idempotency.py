"""Idempotency-Key as the IETF draft (draft-ietf-httpapi-idempotency-key-header) and Stripe describe it:
scoped to the principal, only completed (2xx) answers stored, unauthenticated requests never stored, keys of
printable ASCII. (Expiry, concurrency and abandoned claims, which lean on the database: the _databases file.)"""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from shared.clock import FixedClock
from shared.db.plumbing import idempotency_keys
from shared.http.auth import issue_token
from shared.settings import DEV_SECRET
from tests.security.http_demo import client_for, demo_app

pytestmark = pytest.mark.unit

QUOTE = {"name": "Q1", "amount": 1250}


def bearer(sub: str = "ops-ann", *, issued: datetime | None = None) -> dict[str, str]:
    token = issue_token(DEV_SECRET, sub=sub, roles=["ops"], now=issued or datetime.now(UTC))
    return {"Authorization": f"Bearer {token}"}


def keyed(key: str, sub: str = "ops-ann", issued: datetime | None = None) -> dict[str, str]:
    return {**bearer(sub, issued=issued), "Idempotency-Key": key}


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


async def test_keys_are_scoped_to_the_principal(client: httpx.AsyncClient) -> None:
    ann = await client.post("/v1/quotes", json=QUOTE, headers=keyed("k-1", sub="ops-ann"))
    bob = await client.post("/v1/quotes", json=QUOTE, headers=keyed("k-1", sub="ops-bob"))
    assert ann.status_code == bob.status_code == 201
    assert bob.json()["id"] != ann.json()["id"] and "idempotent-replayed" not in bob.headers


async def test_a_method_the_path_does_not_serve_is_a_405_whatever_key_it_carries(client: httpx.AsyncClient) -> None:
    # Found by Schemathesis once the key was declared: its undeclared-method probe reused the key of a stored POST.
    assert (await client.post("/v1/quotes", json=QUOTE, headers=keyed("k-405"))).status_code == 201
    wrong_method = await client.put("/v1/quotes", json=QUOTE, headers=keyed("k-405"))
    assert (wrong_method.status_code, wrong_method.headers["Allow"]) == (405, "POST, OPTIONS")
    unknown_path = await client.post("/v1/nowhere", json=QUOTE, headers=keyed("k-405"))
    assert unknown_path.status_code == 404


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


@pytest.mark.parametrize("key", [b"x" * 201, "caf\u00e9".encode(), "caf\u00e9".encode("latin-1"), b"tab\there"])
async def test_a_key_that_is_not_printable_ascii_or_too_long_is_400(client: httpx.AsyncClient, key: bytes) -> None:
    raw = {name.encode(): value.encode() for name, value in bearer().items()}
    r = await client.post("/v1/quotes", json=QUOTE, headers={**raw, b"idempotency-key": key})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "Idempotency-Key"
