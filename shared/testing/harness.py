"""Run a service in-process for a test: its app, runtime and an HTTP client, on either bus (services are found
through their entry points, see shared.operations.installed)."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from shared.clock import Clock
from shared.messaging.embedded import EmbeddedBus
from shared.operations.installed import installed_service
from shared.runtime import ServiceRuntime
from shared.settings import PlatformSettings


@dataclass
class RunningService:
    name: str
    app: FastAPI
    runtime: ServiceRuntime
    client: httpx.AsyncClient


def settings_for(service: str, *, database_url: str, platform: PlatformSettings, **overrides: Any) -> Any:
    return installed_service(service).settings(database_url=database_url, platform=platform, **overrides)


@asynccontextmanager
async def running_service(service: str, *, database_url: str, platform: PlatformSettings,
                          clock: Clock | None = None, embedded_bus: EmbeddedBus | None = None,
                          **overrides: Any) -> AsyncIterator[RunningService]:
    settings = settings_for(service, database_url=database_url, platform=platform, **overrides)
    app: FastAPI = installed_service(service).create_app(settings, clock=clock, embedded_bus=embedded_bus)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{service}") as client:
            yield RunningService(service, app, app.state.runtime, client)
