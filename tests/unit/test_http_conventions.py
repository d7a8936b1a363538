"""CONTRACT.md's HTTP conventions on a small app built like every service: problem+json for every error
(naming the field), auth by role, Idempotency-Key replay and conflict, body limit, cursors, ops endpoints."""
from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, ClassVar

import httpx
import pytest
from fastapi import APIRouter, Depends
from pydantic import BaseModel
from pydantic_settings import SettingsConfigDict
from sqlalchemy import MetaData

from shared.db.plumbing import plumbing_metadata
from shared.errors import NotFoundError
from shared.events.types import Currency, Money
from shared.http.app import create_service_app
from shared.http.auth import Principal, require_roles
from shared.http.pagination import AfterId, Cursor, decode_cursor
from shared.runtime import ServiceRuntime, ServiceSpec
from shared.settings import PlatformSettings, ServiceSettings
from shared.testing import auth_headers


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COXSWAIN_DEMO_")
    service: ClassVar[str] = "demo"
    port: int = 9999


class Quote(BaseModel):
    name: str
    amount: Money
    currency: Currency


router = APIRouter()
numbers = itertools.count(1)
Ops = Annotated[Principal, Depends(require_roles("ops", "admin"))]


@router.post("/quotes", status_code=201)
async def create_quote(body: Quote, who: Ops) -> dict[str, object]:
    return {"id": next(numbers), "name": body.name, "amount": body.amount}


@router.get("/quotes/{quote_id}")
async def read_quote(quote_id: str, who: Ops) -> None:
    raise NotFoundError(f"quote {quote_id} does not exist")


@router.get("/quotes")
async def list_quotes(who: Ops, cursor: Cursor = None) -> dict[str, object]:
    return {"items": [], "next_cursor": None, "position": decode_cursor(cursor, AfterId)}


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    platform = PlatformSettings(data_dir=tmp_path, max_body_bytes=2000, json_logs=False, rate_limit_per_minute=30)
    settings = DemoSettings(platform=platform, migrate_on_start=False)
    spec = ServiceSpec(name="demo", metadata=MetaData(), handlers={}, consumes=(), migrations_dir=tmp_path)
    runtime = ServiceRuntime(spec, settings)
    async with runtime.engine.begin() as conn:
        await conn.run_sync(plumbing_metadata.create_all)
    app = create_service_app(runtime, [router], title="demo", description="demo")
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://demo") as c:
            yield c


OPS = auth_headers("ops")
GOOD = {"name": "Q1", "amount": "1250.00", "currency": "EUR"}


async def test_invalid_body_is_422_problem_naming_each_field(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/quotes", headers=OPS, json={"name": "Q", "amount": 12.5, "currency": "euro"})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == 422 and body["title"] == "Invalid input"
    assert {e["field"] for e in body["errors"]} == {"amount", "currency"}


async def test_malformed_json_is_a_400_problem_not_a_500(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/quotes", headers={**OPS, "content-type": "application/json"}, content=b"{oops")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "body"


@pytest.mark.parametrize(("headers", "status"), [
    ({}, 401),
    ({"Authorization": "Bearer not-a-jwt"}, 401),
    (auth_headers("ops", secret="another-secret-another-secret-xx"), 401),
    (auth_headers("rep", rep_id="rep-1"), 403),
])
async def test_auth_failures(client: httpx.AsyncClient, headers: dict[str, str], status: int) -> None:
    r = await client.post("/v1/quotes", headers=headers, json=GOOD)
    assert r.status_code == status and r.json()["status"] == status


async def test_domain_not_found_is_a_404_problem(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/quotes/q-9", headers=OPS)
    assert (r.status_code, r.json()["detail"]) == (404, "quote q-9 does not exist")


async def test_idempotency_key_replays_the_first_answer_and_refuses_another_body(client: httpx.AsyncClient) -> None:
    headers = {**OPS, "Idempotency-Key": "create-q1"}
    first = await client.post("/v1/quotes", headers=headers, json=GOOD)
    again = await client.post("/v1/quotes", headers=headers, json=GOOD)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    other = await client.post("/v1/quotes", headers=headers, json={**GOOD, "amount": "1.00"})
    assert other.status_code == 409 and "different request" in other.json()["detail"]
    fresh = await client.post("/v1/quotes", headers=OPS, json=GOOD)
    assert fresh.json()["id"] != first.json()["id"]


async def test_a_body_over_the_limit_is_413(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/quotes", headers=OPS, json={**GOOD, "name": "x" * 5000})
    assert r.status_code == 413 and r.json()["title"] == "Payload too large"


async def test_a_cursor_we_did_not_issue_is_a_400_naming_cursor(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/quotes", headers=OPS, params={"cursor": "%%%"})
    assert r.status_code == 400 and r.json()["errors"] == [{"field": "cursor", "message": "malformed cursor"}]


async def test_ops_endpoints(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok", "service": "demo"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": True, "bus": True}
    await client.post("/v1/quotes", headers=OPS, json=GOOD)
    metrics = (await client.get("/metrics")).text
    assert 'coxswain_http_requests_total{method="POST",route="/v1/quotes",status="201"}' in metrics


async def test_metrics_label_routes_by_template_not_by_id(client: httpx.AsyncClient) -> None:
    await client.get("/v1/quotes/q-77", headers=OPS)
    metrics = (await client.get("/metrics")).text
    assert 'route="/v1/quotes/{quote_id}",status="404"' in metrics and "q-77" not in metrics


async def test_a_client_over_its_rate_is_429_with_retry_after(client: httpx.AsyncClient) -> None:
    greedy = auth_headers("admin")  # the limit keys on the principal: another sub than OPS's (test-ops)
    answers = [(await client.get("/v1/quotes", headers=greedy)).status_code for _ in range(31)]
    assert answers[:30] == [200] * 30 and answers[30] == 429  # a bucket of 30 a minute
    limited = await client.get("/v1/quotes", headers=greedy)
    assert limited.json()["status"] == 429 and int(limited.headers["retry-after"]) >= 1
    assert (await client.get("/v1/quotes", headers=OPS)).status_code == 200  # another client is not starved
    assert (await client.get("/healthz")).status_code == 200
