"""Composition root of the forecast service: settings, runtime, handlers and routers, wired here only."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.forecast import handlers
from services.forecast.api import adjustments, deals, forecasts, snapshots
from services.forecast.db.models import metadata
from services.forecast.settings import ForecastSettings
from services.forecast.workers import snapshot_schedule
from shared.clock import Clock
from shared.http.app import create_service_app
from shared.messaging.embedded import EmbeddedBus
from shared.runtime import ServiceRuntime, ServiceSpec

SPEC = ServiceSpec(
    name="forecast",
    metadata=metadata,
    handlers=handlers.EVENT_HANDLERS,
    consumes=handlers.CONSUMED_TOPICS,
    migrations_dir=Path(__file__).parent / "migrations",
    workers=(snapshot_schedule,),
    # Everything kept from events; adjustments and snapshots are forecast's own (made through the API).
    projections=("forecast_deals", "deal_stage_visits", "stage_records", "cycle_stats", "totals_rows", "stage_rows",
                 "age_rows", "quotas", "reps", "teams", "territories", "event_history"),
)


def create_app(settings: ForecastSettings | None = None, *, clock: Clock | None = None,
               embedded_bus: EmbeddedBus | None = None, start_runtime: bool = True) -> FastAPI:
    runtime = ServiceRuntime(SPEC, settings or ForecastSettings(), clock=clock, embedded_bus=embedded_bus)
    return create_service_app(runtime, [forecasts.router, deals.router, adjustments.router,
                                        snapshots.router], title="Coxswain forecast",
                              description="Forecasts by four methods, rollups, attainment, snapshots and accuracy.",
                              start_runtime=start_runtime)
