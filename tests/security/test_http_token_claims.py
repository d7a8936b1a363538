"""Validly signed tokens whose claims are the wrong shape are a 401 problem, never a 500 (or a silent pass)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.settings import DEV_SECRET
from tests.security.http_demo import demo_client

pytestmark = pytest.mark.unit


def signed(payload: str) -> dict[str, str]:
    """A token signed with the right secret around exactly this payload text (so it can hold any JSON)."""
    def b64(raw: bytes) -> bytes:
        return base64.urlsafe_b64encode(raw).rstrip(b"=")
    head = b64(b'{"alg":"HS256","typ":"JWT"}') + b"." + b64(payload.encode())
    signature = b64(hmac.new(DEV_SECRET.encode(), head, hashlib.sha256).digest())
    return {"Authorization": f"Bearer {(head + b'.' + signature).decode()}"}


def claims(**overrides: Any) -> str:
    base: dict[str, Any] = {"sub": "ops-1", "roles": ["ops"], "iss": "coxswain", "exp": int(time.time()) + 600}
    return json.dumps({**base, **overrides})


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with demo_client(tmp_path) as c:
        yield c


@pytest.mark.parametrize("payload", [
    claims(roles=5),
    claims(roles="ops"),  # a string is not a list of roles (it would iterate as "o", "p", "s")
    claims(roles=[["ops"]]),
    claims(roles=[{"ops": 1}]),
    claims(sub=7),
    claims(sub={"id": "x"}),
    claims(sub=""),
    claims(sub="x" * 5000),
    claims(sub="ops\u0000one"),
    claims(sub="ops\r\nX-Injected: 1"),
    claims(roles=["rep"], rep_id={"a": 1}),
    claims(roles=["rep"], rep_id=12),
    claims(roles=["rep"], rep_id="rep\x00one"),
    claims(roles=["manager"], team_ids="x"),
    claims(roles=["manager"], team_ids=[1, 2]),
    claims(roles=["manager"], team_ids={"t": 1}),
    claims(exp="soon"),
    claims(iat=[1]),
    claims().replace('"exp": ', '"exp": 1' + "0" * 5000 + ', "x": '),
    '["not", "an", "object"]',
    '"a string"',
    "5",
])
async def test_a_signed_token_with_claims_of_the_wrong_type_is_401(client: httpx.AsyncClient, payload: str) -> None:
    r = await client.get("/v1/quotes/q-1", headers=signed(payload))
    assert r.status_code == 401, r.text
    assert r.headers["content-type"] == "application/problem+json" and r.headers["www-authenticate"] == "Bearer"


async def test_well_formed_claims_still_pass(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/quotes/q-1", headers=signed(claims(team_ids=["t-1"], extra={"nested": [1]})))
    assert r.status_code == 200 and r.json() == {"id": "q-1"}


async def test_the_wrong_claim_is_named(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/quotes/q-1", headers=signed(claims(roles=5)))
    assert "roles" in r.json()["detail"]
