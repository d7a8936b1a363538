"""Composition root of the compensation service: settings, runtime, handlers and routers, wired here only."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.compensation import handlers, workers
from services.compensation.api import commissions, inquiries, periods, plans, quotas, statements
from services.compensation.db.models import metadata
from services.compensation.settings import CompensationSettings
from shared.clock import Clock
from shared.http.app import create_service_app
from shared.messaging.embedded import EmbeddedBus
from shared.runtime import ServiceRuntime, ServiceSpec

SPEC = ServiceSpec(
    name="compensation",
    metadata=metadata,
    handlers=handlers.EVENT_HANDLERS,
    consumes=handlers.CONSUMED_TOPICS,
    workers=workers.WORKERS,
    migrations_dir=Path(__file__).parent / "migrations",
    # Copies of deals and organisation. The ledger is a book of record (booked into the period open at the
    # time, referenced by inquiries), so it is kept with plans, quotas, rates, periods and draws.
    projections=("deals", "reps", "teams"),
)


def create_app(settings: CompensationSettings | None = None, *, clock: Clock | None = None,
               embedded_bus: EmbeddedBus | None = None, start_runtime: bool = True) -> FastAPI:
    runtime = ServiceRuntime(SPEC, settings or CompensationSettings(), clock=clock, embedded_bus=embedded_bus)
    return create_service_app(runtime, [plans.router, quotas.router, commissions.router, statements.router,
                                        inquiries.router, periods.router], title="Coxswain compensation",
                              description="Plans, quotas, the commission ledger, clawbacks and statements.",
                              start_runtime=start_runtime)
