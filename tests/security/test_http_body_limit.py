"""The body limit holds however the body arrives: declared (Content-Length) or streamed (chunked, no length)."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from shared.testing import auth_headers
from tests.security.http_demo import demo_client

pytestmark = pytest.mark.unit

OPS = {**auth_headers("ops"), "content-type": "application/json"}
ELEVEN_MB = 11 * 1024 * 1024


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with demo_client(tmp_path) as c:  # the default limit: 10 MiB
        yield c


def _json_body(size: int) -> bytes:
    body = json.dumps({"name": "x" * (size - 30), "amount": 1}).encode()
    assert len(body) >= size - 30
    return body


async def _chunked(body: bytes, chunk: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(body), chunk):
        yield body[start:start + chunk]


async def test_an_11_mb_body_sent_chunked_is_413_not_400(client: httpx.AsyncClient) -> None:
    body = _json_body(ELEVEN_MB)
    r = await client.post("/v1/quotes", headers=OPS, content=_chunked(body))
    assert "content-length" not in r.request.headers  # really streamed
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["title"] == "Payload too large" and "10485760 bytes" in r.json()["detail"]


async def test_an_11_mb_body_with_its_length_declared_is_413(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/quotes", headers=OPS, content=_json_body(ELEVEN_MB))
    assert r.status_code == 413 and r.json()["status"] == 413


async def test_a_chunked_body_under_the_limit_still_goes_through(client: httpx.AsyncClient) -> None:
    body = json.dumps({"name": "y" * 90_000, "amount": 3}).encode()
    r = await client.post("/v1/quotes", headers=OPS, content=_chunked(body, chunk=10_000))
    assert r.status_code == 201 and len(r.json()["name"]) == 90_000


async def test_a_chunked_oversized_body_with_an_idempotency_key_is_413_and_leaves_the_key_free(
        client: httpx.AsyncClient) -> None:
    headers = {**OPS, "Idempotency-Key": "big-1"}
    r = await client.post("/v1/quotes", headers=headers, content=_chunked(_json_body(ELEVEN_MB)))
    assert r.status_code == 413
    fine = await client.post("/v1/quotes", headers=headers, json={"name": "small", "amount": 1})
    assert fine.status_code == 201


async def test_a_5000_digit_content_length_is_413_not_a_500(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/quotes", headers={**OPS, "content-length": "1" * 5000}, content=b'{"amount":1}')
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
