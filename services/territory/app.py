"""Composition root of the territory service: settings, runtime, handlers and routers, wired here only."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.territory import handlers
from services.territory.api import coverage, organisation, planning, territories
from services.territory.db.indexes import TerritoryIndexes
from services.territory.db.models import metadata
from services.territory.settings import TerritorySettings
from shared.clock import Clock
from shared.http.app import create_service_app
from shared.messaging.embedded import EmbeddedBus
from shared.runtime import ServiceRuntime, ServiceSpec

SPEC = ServiceSpec(
    name="territory",
    metadata=metadata,
    handlers=handlers.EVENT_HANDLERS,
    consumes=handlers.CONSUMED_TOPICS,
    migrations_dir=Path(__file__).parent / "migrations",
    # Copies of deals and quotas. The lead book holds territory's own routing decisions, so it is kept with
    # reps, teams, territories, rotations and plans.
    projections=("deal_book", "quotas"),
)


def create_app(settings: TerritorySettings | None = None, *, clock: Clock | None = None,
               embedded_bus: EmbeddedBus | None = None, start_runtime: bool = True) -> FastAPI:
    runtime = ServiceRuntime(SPEC, settings or TerritorySettings(), clock=clock, embedded_bus=embedded_bus)
    indexes = TerritoryIndexes()  # one cache per running service, shared by its routes and its consumer
    # The same event types as SPEC.handlers (which the CLI replays through, uncached); routing with this cache.
    runtime.dispatcher.handlers = handlers.event_handlers(indexes)
    routers = [organisation.router, territories.router, coverage.router, planning.router]
    app = create_service_app(runtime, routers, title="Coxswain territory",
                             description="Reps, teams, territories, lead routing, coverage and what-if plans.",
                             start_runtime=start_runtime)
    app.state.territory_indexes = indexes
    return app
