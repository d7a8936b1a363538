"""Builds a service's FastAPI app the same way for all five: conventions in, routers mounted."""
from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from shared.http.idempotency import IdempotencyKeys
from shared.http.middleware import BodySizeLimit, RequestTelemetry
from shared.http.openapi import document_problems
from shared.http.ops import router as ops_router
from shared.http.problems import install_problem_handlers
from shared.http.query import one_value_per_query_parameter
from shared.http.ratelimit import RateLimit
from shared.runtime import ServiceRuntime


def create_service_app(runtime: ServiceRuntime, routers: Sequence[APIRouter], *, title: str,
                       description: str, start_runtime: bool = True) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if start_runtime:
            await runtime.start()
        try:
            yield
        finally:
            if start_runtime:
                await runtime.stop()

    app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan,
                  dependencies=[Depends(one_value_per_query_parameter)])
    app.state.runtime = runtime
    install_problem_handlers(app)
    document_problems(app)
    app.include_router(ops_router)
    for router in routers:
        app.include_router(router, prefix="/v1")
    platform = runtime.settings.platform
    app.add_middleware(IdempotencyKeys, sessions=lambda: runtime.sessions, clock=runtime.clock)
    app.add_middleware(BodySizeLimit, max_bytes=platform.max_body_bytes)
    app.add_middleware(RateLimit, per_minute=platform.rate_limit_per_minute)
    if platform.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=platform.cors_origins, allow_methods=["*"],
                           allow_headers=["*"], expose_headers=["x-trace-id", "idempotent-replayed"])
    app.add_middleware(RequestTelemetry, metrics=runtime.metrics)
    return app
