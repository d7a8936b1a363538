"""`coxswain rebuild`: a damaged projection is found by the comparison and repaired by the switch, while what
forecast owns (adjustments, snapshots, its outbox) survives untouched. On the embedded bus and on Kafka."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import make_url

from services.forecast.app import SPEC
from services.forecast.db.models import adjustments, forecast_deals, snapshots, totals_rows
from shared.clock import FixedClock
from shared.db.engine import make_engine
from shared.db.plumbing import outbox
from shared.operations.rebuild import RebuildReport, rebuild
from shared.testing import auth_headers
from shared.testing.backends import Backend
from shared.testing.harness import running_service, settings_for
from tests.forecast.streams import COMPENSATION, NOW, PIPELINE, TERRITORY
from tests.forecast.test_rebuild import everything, settled, stream

OPS = auth_headers("ops")
ADJUSTMENT = {"period": "2026-Q4", "group_by": "rep", "group": "rep-1", "amount": "5500.00", "currency": "USD",
              "note": "verbal yes from Acme's CFO"}


async def _rows(url: str, query: object) -> list[tuple]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return [tuple(r) for r in await conn.execute(query)]  # type: ignore[call-overload]
    finally:
        await engine.dispose()


async def _damage(url: str) -> None:
    """What a handler bug might leave: a deal missing from the projection, and a total that is off."""
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(delete(forecast_deals).where(forecast_deals.c.deal_id == "d5"))
            await conn.execute(update(totals_rows).values(deals=totals_rows.c.deals + 1))
    finally:
        await engine.dispose()


async def _rebuild(backend: Backend, url: str, infrastructure: dict[str, str], *, switch: bool,
                   seen: list[tuple[int, int]], at: datetime) -> RebuildReport:
    settings = settings_for("forecast", database_url=url, platform=backend.platform)
    admin = str(make_url(infrastructure["pg"]).database)
    return await rebuild(SPEC, settings, switch=switch, progress=lambda done, total: seen.append((done, total)),
                         clock=FixedClock(at), embedded_bus=backend.embedded_bus, batch_size=7,
                         admin_database=admin)


async def _drop(backend: Backend, infrastructure: dict[str, str], *urls: str) -> None:
    """The rebuild's own databases (the backend drops the ones it made)."""
    if backend.kind != "kafka":
        return
    import asyncpg

    conn = await asyncpg.connect(infrastructure["pg"])
    try:
        for url in urls:
            await conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    finally:
        await conn.close()


async def test_a_rebuild_repairs_a_damaged_projection_and_keeps_what_forecast_owns(
        backend: Backend, infrastructure: dict[str, str], tmp_path: Path) -> None:
    url = await backend.database_url("forecast")
    async with running_service("forecast", database_url=url, platform=backend.platform,
                               embedded_bus=backend.embedded_bus, clock=FixedClock(NOW)) as live:
        await stream(backend)
        await settled(live)
        assert (await live.client.post("/v1/adjustments", headers=OPS, json=ADJUSTMENT)).status_code == 201
        taken = await live.client.post("/v1/snapshots", headers=OPS, json={"period": "2026-Q4",
                                                                            "methods": ["weighted"]})
        assert taken.status_code == 201, taken.text
        view = await everything(live)  # with rep-1's adjustment
    log = sum([len(await backend.read_topic(backend.topic(t))) for t in (PIPELINE, COMPENSATION, TERRITORY)], 0)
    # 2 teams, 3 reps, 2 territories, 2 quotas, 3 d1 events, 3 deals × 2, d4 closed again and reopened, d5: 21
    assert log == 21
    owned = [select(adjustments.c.adjustment_id, adjustments.c.amount, adjustments.c.note),
             select(snapshots.c.snapshot_id, snapshots.c.totals), select(outbox.c.event_id, outbox.c.published_at)]
    before = [await _rows(url, q) for q in owned]
    # the weekly schedule's snapshot (4 methods) and the one on demand, each announced by one outbox row
    assert [len(rows) for rows in before] == [1, 5, 5]
    await _damage(url)

    seen: list[tuple[int, int]] = []
    report = await _rebuild(backend, url, infrastructure, switch=False, seen=seen, at=NOW)
    await _drop(backend, infrastructure, report.rebuilt_url)
    assert (report.events, seen[0], seen[-1]) == (21, (0, 21), (21, 21))
    assert report.outcomes["handled"] == 20  # d4's second close is the same fact again (stale: sequence 2 seen)
    assert report.backup is None and report.unpublished == 0
    damaged = {c.table: c for c in report.differences}
    assert set(damaged) == {"forecast_deals", "totals_rows"}
    assert (damaged["forecast_deals"].live_rows, damaged["forecast_deals"].rebuilt_rows) == (4, 5)
    assert [r["deal_id"] for r in damaged["forecast_deals"].only_rebuilt] == ["d5"]
    assert damaged["totals_rows"].live_rows == damaged["totals_rows"].rebuilt_rows  # same rows, other figures
    assert damaged["totals_rows"].differing_rows == 2 * damaged["totals_rows"].live_rows

    seen.clear()
    report = await _rebuild(backend, url, infrastructure, switch=True, seen=seen, at=NOW + timedelta(hours=1))
    assert report.backup is not None and {c.table for c in report.differences} == {"forecast_deals", "totals_rows"}
    try:
        assert [await _rows(url, q) for q in owned] == before  # kept, to the outbox row's publication time
        async with running_service("forecast", database_url=url, platform=backend.platform,
                                   embedded_bus=backend.embedded_bus, clock=FixedClock(NOW)) as switched:
            assert await everything(switched) == view  # d5 and the totals are back
            adjusted = await switched.client.get("/v1/adjustments", headers=OPS, params={"period": "2026-Q4"})
            assert [a["note"] for a in adjusted.json()["items"]] == [ADJUSTMENT["note"]]
            assert (await switched.client.post("/v1/adjustments", headers=OPS, json=ADJUSTMENT)).status_code == 201
        assert (await _rows(url, select(func.count()).select_from(adjustments))) == [(2,)]  # ids continue
    finally:
        if backend.kind == "kafka":
            await _drop(backend, infrastructure, make_url(url).set(database=report.backup).render_as_string())
