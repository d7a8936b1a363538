"""Composition root of the pipeline service: settings, runtime, handlers and routers, wired here only."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.pipeline import handlers
from services.pipeline.api import analytics, deals, pipelines, webhooks
from services.pipeline.db.models import metadata
from services.pipeline.settings import PipelineSettings
from shared.clock import Clock
from shared.http.app import create_service_app
from shared.messaging.embedded import EmbeddedBus
from shared.runtime import ServiceRuntime, ServiceSpec

SPEC = ServiceSpec(
    name="pipeline",
    metadata=metadata,
    handlers=handlers.EVENT_HANDLERS,
    consumes=handlers.CONSUMED_TOPICS,
    migrations_dir=Path(__file__).parent / "migrations",
    # Copies of territory's organisation; pipelines, deals, history and analytics rows are pipeline's own.
    projections=("reps", "teams"),
)


def create_app(settings: PipelineSettings | None = None, *, clock: Clock | None = None,
               embedded_bus: EmbeddedBus | None = None, start_runtime: bool = True) -> FastAPI:
    runtime = ServiceRuntime(SPEC, settings or PipelineSettings(), clock=clock, embedded_bus=embedded_bus)
    routers = [pipelines.router, deals.router, analytics.router, webhooks.router]
    return create_service_app(runtime, routers, title="Coxswain pipeline",
                              description="Pipelines and stages, deals, stage history, pipeline analytics.",
                              start_runtime=start_runtime)
