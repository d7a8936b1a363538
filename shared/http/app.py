"""Builds a service's FastAPI app the same way for all five: conventions in, routers mounted."""
from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from shared.http.etags import BodyEtags
from shared.http.idempotency import IdempotencyKeys
from shared.http.middleware import BodySizeLimit, RequestTelemetry
from shared.http.nul_guard import RefuseNul
from shared.http.openapi import document_problems
from shared.http.ops import router as ops_router
from shared.http.problems import install_problem_handlers
from shared.http.query import one_value_per_query_parameter
from shared.http.ratelimit import RateLimit
from shared.observability.health import ServiceHealth
from shared.observability.telemetry import ServiceTelemetry, TelemetryScope, telemetry_scope
from shared.observability.tracing import tracer_provider_for
from shared.runtime import ServiceRuntime
from shared.webhooks_out.api import router as webhook_subscriptions_router

# Probes and scrapes would only add noise to traces.
_UNTRACED = "/livez,/readyz,/healthz,/metrics"


def create_service_app(runtime: ServiceRuntime, routers: Sequence[APIRouter], *, title: str,
                       description: str, start_runtime: bool = True) -> FastAPI:
    telemetry = _telemetry(runtime)
    health = ServiceHealth.of(runtime, watch_consumer=start_runtime)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if start_runtime:
            with telemetry_scope(telemetry):  # the relay, consumer and workers started here inherit it
                await runtime.start()
        try:
            yield
        finally:
            if start_runtime:
                await runtime.stop()
            await health.close()
            telemetry.tracer_provider.shutdown()

    app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan,
                  dependencies=[Depends(one_value_per_query_parameter)])
    app.state.runtime, app.state.health, app.state.telemetry = runtime, health, telemetry
    install_problem_handlers(app)
    document_problems(app)
    app.include_router(ops_router)
    for router in (*routers, webhook_subscriptions_router):
        app.include_router(router, prefix="/v1")
    platform = runtime.settings.platform
    app.add_middleware(BodyEtags)
    app.add_middleware(IdempotencyKeys, sessions=lambda: runtime.sessions, clock=runtime.clock, platform=platform)
    app.add_middleware(RefuseNul)
    app.add_middleware(BodySizeLimit, max_bytes=platform.max_body_bytes)
    app.add_middleware(RateLimit, platform=platform)
    if platform.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=platform.cors_origins, allow_methods=["*"],
                           allow_headers=["*"], expose_headers=["x-trace-id", "idempotent-replayed", "etag"])
    app.add_middleware(RequestTelemetry, metrics=runtime.metrics)
    app.add_middleware(TelemetryScope, telemetry=telemetry)
    FastAPIInstrumentor.instrument_app(app, tracer_provider=telemetry.tracer_provider, excluded_urls=_UNTRACED,
                                       exclude_spans=["receive", "send"])
    return app


def _telemetry(runtime: ServiceRuntime) -> ServiceTelemetry:
    endpoint = runtime.settings.platform.otel_exporter_otlp_endpoint
    provider = tracer_provider_for(runtime.spec.name, otlp_endpoint=endpoint)
    if endpoint:  # one span per statement is worth its cost only when someone looks at the spans
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

        SQLAlchemyInstrumentor().instrument(engine=runtime.engine.sync_engine, tracer_provider=provider)
    return ServiceTelemetry(runtime.spec.name, runtime.metrics, provider)
