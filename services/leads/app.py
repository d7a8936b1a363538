"""Composition root of the leads service: settings, runtime, handlers, workers and routers, wired here only."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.leads import handlers
from services.leads.api import imports, leads, reports, settings_api, webhooks
from services.leads.db.models import metadata
from services.leads.settings import LeadsSettings
from services.leads.workers import sweep_sla
from shared.clock import Clock
from shared.http.app import create_service_app
from shared.messaging.embedded import EmbeddedBus
from shared.runtime import ServiceRuntime, ServiceSpec

SPEC = ServiceSpec(
    name="leads",
    metadata=metadata,
    handlers=handlers.EVENT_HANDLERS,
    consumes=handlers.CONSUMED_TOPICS,
    migrations_dir=Path(__file__).parent / "migrations",
    workers=(sweep_sla,),
    # Copies of territory's organisation; leads themselves, their history and settings are leads' own.
    projections=("reps", "teams"),
)
ROUTERS = [imports.router, leads.router, webhooks.router, settings_api.router, reports.router]


def create_app(settings: LeadsSettings | None = None, *, clock: Clock | None = None,
               embedded_bus: EmbeddedBus | None = None, start_runtime: bool = True) -> FastAPI:
    runtime = ServiceRuntime(SPEC, settings or LeadsSettings(), clock=clock, embedded_bus=embedded_bus)
    return create_service_app(runtime, ROUTERS, title="Coxswain leads",
                              description="Leads: capture, dedupe, scoring, routing, follow-up SLA, conversion.",
                              start_runtime=start_runtime)
