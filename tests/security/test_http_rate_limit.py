"""The rate limit keys on who the caller is, not on how they spell the header: the verified principal (`sub`)
for a valid token, the client address for anything that fails authentication or carries none."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from shared.http.auth import issue_token
from shared.settings import DEV_SECRET
from tests.security.http_demo import client_for, demo_app

pytestmark = pytest.mark.unit

PER_MINUTE = 5


def token(sub: str, *, issued: datetime | None = None) -> str:
    return issue_token(DEV_SECRET, sub=sub, roles=["ops"], now=issued or datetime.now(UTC))


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    async with demo_app(tmp_path, rate_limit_per_minute=PER_MINUTE) as a:
        yield a


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as c:
        yield c


async def _exhaust(client: httpx.AsyncClient, authorization: str) -> None:
    answers = [(await client.get("/v1/quotes/q", headers={"Authorization": authorization})).status_code
               for _ in range(PER_MINUTE)]
    assert answers == [200] * PER_MINUTE  # a full bucket of 5


@pytest.mark.parametrize("spelling", ["bearer {t}", "BEARER {t}", "Bearer  {t}", "Bearer {t} ", " Bearer\t{t}"])
async def test_respelling_the_header_does_not_refill_an_exhausted_limit(client: httpx.AsyncClient,
                                                                         spelling: str) -> None:
    t = token("greedy")
    await _exhaust(client, f"Bearer {t}")
    r = await client.get("/v1/quotes/q", headers={"Authorization": spelling.format(t=t)})
    assert r.status_code == 429 and r.headers["content-type"] == "application/problem+json"
    assert int(r.headers["retry-after"]) >= 1


async def test_a_refreshed_token_of_the_same_principal_shares_its_limit(client: httpx.AsyncClient) -> None:
    await _exhaust(client, f"Bearer {token('greedy', issued=datetime.now(UTC) - timedelta(minutes=30))}")
    refreshed = token("greedy")
    assert (await client.get("/v1/quotes/q", headers={"Authorization": f"Bearer {refreshed}"})).status_code == 429


async def test_rotating_garbage_tokens_are_limited_by_address(app: FastAPI, client: httpx.AsyncClient) -> None:
    answers = [(await client.get("/v1/quotes/q", headers={"Authorization": f"Bearer garbage-{n}"})).status_code
               for n in range(PER_MINUTE + 1)]
    assert answers == [401] * PER_MINUTE + [429]
    unsigned = await client.get("/v1/quotes/q")  # no header at all: the same address, the same bucket
    assert unsigned.status_code == 429
    async with client_for(app, "198.51.100.20") as elsewhere:
        assert (await elsewhere.get("/v1/quotes/q", headers={"Authorization": "Bearer garbage"})).status_code == 401


async def test_others_are_not_starved(app: FastAPI, client: httpx.AsyncClient) -> None:
    await _exhaust(client, f"Bearer {token('greedy')}")
    assert (await client.get("/v1/quotes/q", headers={"Authorization": f"Bearer {token('modest')}"})).status_code == 200
    # A valid principal is keyed on itself, not on the address it shares with garbage senders.
    for n in range(PER_MINUTE + 1):
        await client.get("/v1/quotes/q", headers={"Authorization": f"Bearer junk-{n}"})
    assert (await client.get("/v1/quotes/q", headers={"Authorization": f"Bearer {token('calm')}"})).status_code == 200
    assert (await client.get("/healthz")).status_code == 200
