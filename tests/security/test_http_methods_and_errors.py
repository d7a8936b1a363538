"""Allow lists every method of a path (OPTIONS and 405); malformed JSON is a 400 problem; every validation
error is a problem naming its field, including path parameters under the shared id rule."""
from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from shared.testing import auth_headers
from tests.security.http_demo import demo_client

pytestmark = pytest.mark.unit

OPS = auth_headers("ops")
QUOTE = {"name": "Q1", "amount": 3}


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with demo_client(tmp_path) as c:
        yield c


def allowed(r: httpx.Response) -> set[str]:
    return {m.strip() for m in r.headers["allow"].split(",")}


async def test_405_lists_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    r = await client.patch("/v1/quotes/q-1", headers=OPS, json=QUOTE)
    assert r.status_code == 405 and r.headers["content-type"] == "application/problem+json"
    # GET, PUT and DELETE are routed on /quotes/{quote_id} (FastAPI routes no HEAD); OPTIONS is always answered.
    assert r.headers["allow"] == "GET, PUT, DELETE, OPTIONS"


async def test_options_answers_with_every_allowed_method(client: httpx.AsyncClient) -> None:
    r = await client.options("/v1/quotes/q-1")
    assert r.status_code == 204 and allowed(r) == {"GET", "PUT", "DELETE", "OPTIONS"}
    listing = await client.options("/v1/quotes")
    assert listing.status_code == 204 and allowed(listing) == {"POST", "OPTIONS"}


async def test_a_fixed_path_lists_its_own_methods_not_those_of_a_template_it_also_fits(
        client: httpx.AsyncClient) -> None:
    # /quotes/slow is its own resource (POST only) even though /quotes/{quote_id} (GET, PUT, DELETE) fits it too:
    # its OpenAPI path says POST, so Allow must not add the template's three (Schemathesis' ST205).
    r = await client.options("/v1/quotes/slow")
    assert r.status_code == 204 and r.headers["allow"] == "POST, OPTIONS"
    refused = await client.patch("/v1/quotes/slow", headers=OPS, json=QUOTE)
    assert refused.status_code == 405 and refused.headers["allow"] == "POST, OPTIONS"


async def test_options_on_a_path_nobody_serves_is_404(client: httpx.AsyncClient) -> None:
    assert (await client.options("/v1/nothing-here")).status_code == 404


async def test_malformed_json_is_a_400_problem_naming_the_body(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/quotes", headers={**OPS, "content-type": "application/json"}, content=b'{"name": ')
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["title"] == "Bad request" and body["errors"][0]["field"] == "body"
    assert "JSON" in body["detail"]


@pytest.mark.parametrize("raw", [b"\xff\xfe\x00", b'{"name": "\\ud800", "amount": 1', b"[" * 10_000])
async def test_undecodable_or_broken_bodies_are_4xx_problems(client: httpx.AsyncClient, raw: bytes) -> None:
    r = await client.post("/v1/quotes", headers={**OPS, "content-type": "application/json"}, content=raw)
    assert r.status_code in (400, 422) and r.headers["content-type"] == "application/problem+json"


async def test_a_query_or_path_error_names_the_parameter(client: httpx.AsyncClient) -> None:
    r = await client.put("/v1/quotes/q-1", headers=OPS, json={"name": "Q1", "amount": "lots"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "amount"


@pytest.mark.parametrize("headers", [
    {b"traceparent": b"\xff\xfe-a-b-c"},
    {b"x-request-id": b"\xff" * 10},
    {b"x-request-id": b"line\rbreak"},
    {b"traceparent": b"00-" + b"z" * 32 + b"-" + b"0" * 16 + b"-01"},
])
async def test_hostile_trace_headers_are_replaced_not_a_500(client: httpx.AsyncClient,
                                                            headers: dict[bytes, bytes]) -> None:
    raw = {name.encode(): value.encode() for name, value in OPS.items()}
    r = await client.post("/v1/quotes", headers={**raw, **headers}, json=QUOTE)
    assert r.status_code == 201 and len(r.headers["x-trace-id"]) == 32  # a fresh uuid4 hex


async def test_a_well_formed_traceparent_is_kept(client: httpx.AsyncClient) -> None:
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    r = await client.post("/v1/quotes", headers={**OPS, "traceparent": f"00-{trace}-00f067aa0ba902b7-01"}, json=QUOTE)
    assert r.headers["x-trace-id"] == trace


async def test_a_body_that_is_not_even_decodable_names_the_body(client: httpx.AsyncClient) -> None:
    huge_number = b'{"name": "a", "amount": 1' + b"0" * 5000 + b"}"  # past Python's int-parsing limit
    r = await client.post("/v1/quotes", headers={**OPS, "content-type": "application/json"}, content=huge_number)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "body"
