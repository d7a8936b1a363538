"""Each of the five services rebuilds from the same organisation, deal and quota events to exactly its live
projections (embedded bus; forecast and compensation are also proven on Kafka in the other files)."""
from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shared.clock import FixedClock
from shared.db.plumbing import processed_events
from shared.operations.rebuild import rebuild
from shared.testing import eventually
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import running_service, settings_for
from tests.forecast.streams import NOW, PIPELINE, created, organise, quota, send
from tests.operations.test_rebuild import _rows

pytestmark = pytest.mark.embedded
# organisation: 2 teams, 3 reps, 2 territories on coxswain.territory; 1 deal on pipeline; 1 quota on compensation
# (events read, events handled): leads, pipeline and compensation keep no territories; pipeline and compensation
# ignore deal.created
CONSUMED = {"leads": (7, 5), "pipeline": (7, 5), "forecast": (9, 9), "compensation": (8, 5), "territory": (2, 2)}


@pytest.mark.parametrize("service", sorted(CONSUMED))
async def test_each_service_rebuilds_to_its_live_projections(embedded_backend: EmbeddedBackend,
                                                             service: str) -> None:
    url = await embedded_backend.database_url(service)
    async with running_service(service, database_url=url, platform=embedded_backend.platform,
                               embedded_bus=embedded_backend.embedded_bus, clock=FixedClock(NOW)):
        await organise(embedded_backend)
        await send(embedded_backend, PIPELINE, "coxswain.deal.created.v1", "d1", created("d1", "1000.00"))
        await quota(embedded_backend, "rep-1", "2026-Q4", "40000.00")
        count = select(func.count()).select_from(processed_events)
        await eventually(lambda: _rows(url, count), until=lambda rows: rows == [(CONSUMED[service][1],)])
    spec = importlib.import_module(f"services.{service}.app").SPEC
    report = await rebuild(spec, settings_for(service, database_url=url, platform=embedded_backend.platform),
                           switch=True, clock=FixedClock(NOW + timedelta(hours=1)),
                           embedded_bus=embedded_backend.embedded_bus)
    assert (report.events, report.outcomes["handled"]) == CONSUMED[service]
    assert report.differences == [] and sum(c.live_rows for c in report.comparisons) > 0
    assert report.backup is not None
