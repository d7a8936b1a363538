"""A small app built like every service (create_service_app), for the hostile-input tests of the HTTP layer."""
from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, ClassVar

import httpx
from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict
from sqlalchemy import MetaData

from shared.clock import FixedClock
from shared.db.plumbing import plumbing_metadata
from shared.http.app import create_service_app
from shared.http.auth import Principal, require_roles
from shared.runtime import ServiceRuntime, ServiceSpec
from shared.settings import PlatformSettings, ServiceSettings


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COXSWAIN_DEMO_")
    service: ClassVar[str] = "demo"
    port: int = 9999


class Quote(BaseModel):
    name: str = Field(max_length=100_000)
    amount: int = Field(ge=0)


class Gates:
    """Lets a test hold a request inside its handler (to send a concurrent duplicate meanwhile)."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()


router = APIRouter()
numbers = itertools.count(1)
gates = Gates()
Ops = Annotated[Principal, Depends(require_roles("ops", "admin"))]


@router.post("/quotes", status_code=201)
async def create_quote(body: Quote, who: Ops) -> dict[str, Any]:
    return {"id": next(numbers), "name": body.name, "by": who.sub}


@router.post("/quotes/slow", status_code=201)
async def create_quote_slowly(body: Quote, who: Ops) -> dict[str, Any]:
    gates.entered.set()
    await gates.release.wait()
    return {"id": next(numbers), "name": body.name}


@router.post("/quotes/broken")
async def break_down(body: Quote, who: Ops) -> None:
    raise RuntimeError("a fault on the server's side")


@router.post("/webhooks/unsigned", status_code=202)
async def anonymous_write(body: Quote) -> dict[str, Any]:
    return {"id": next(numbers)}


@router.get("/quotes/{quote_id}")
async def read_quote(quote_id: str, who: Ops) -> dict[str, str]:
    return {"id": quote_id}


@router.put("/quotes/{quote_id}")
async def put_quote(quote_id: str, body: Quote, who: Ops) -> dict[str, str]:
    return {"id": quote_id}


@router.delete("/quotes/{quote_id}", status_code=204)
async def delete_quote(quote_id: str, who: Ops) -> None:
    return None


@asynccontextmanager
async def demo_app(tmp_path: Path, *, clock: FixedClock | None = None, database_url: str | None = None,
                   **platform: Any) -> AsyncIterator[FastAPI]:
    settings = DemoSettings(platform=PlatformSettings(data_dir=tmp_path, json_logs=False, **platform),
                            migrate_on_start=False, database_url=database_url)
    spec = ServiceSpec(name="demo", metadata=MetaData(), handlers={}, consumes=(), migrations_dir=tmp_path)
    runtime = ServiceRuntime(spec, settings, clock=clock or FixedClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC)))
    async with runtime.engine.begin() as conn:
        await conn.run_sync(plumbing_metadata.create_all)
    app = create_service_app(runtime, [router], title="demo", description="demo")
    async with app.router.lifespan_context(app):
        yield app


def client_for(app: FastAPI, address: str = "203.0.113.7") -> httpx.AsyncClient:
    """A client calling from this address (the rate limit keys anonymous and failed requests on it)."""
    # Unhandled errors become the 500 a real server sends, not an exception in the test.
    transport = httpx.ASGITransport(app=app, client=(address, 40000), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://demo")


@asynccontextmanager
async def demo_client(tmp_path: Path, *, clock: FixedClock | None = None,
                      **platform: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with demo_app(tmp_path, clock=clock, **platform) as app, client_for(app) as client:
        yield client
