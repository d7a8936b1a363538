"""A compensation rebuild: the deal copy is replayed, the ledger and plans are kept as they are, and nothing the
replayed handlers decide is published again; after the switch the service's sequences carry on."""
from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.engine import make_url

from services.compensation.app import SPEC
from services.compensation.db.models import commission_lines, credits, deals, plans
from shared.clock import FixedClock
from shared.db.plumbing import outbox
from shared.events import catalog as ev
from shared.operations.rebuild import rebuild
from shared.testing import build_event, eventually
from shared.testing.backends import Backend
from shared.testing.harness import running_service, settings_for
from tests.compensation.conftest import NOW, OPS, WORKED_PLAN, closed, lines_until, send, setup_plan
from tests.operations.test_rebuild import _drop, _rows


async def _published(backend: Backend) -> list[tuple[str, int]]:
    records = await backend.read_topic(backend.topic("coxswain.compensation"))
    return [(e["type"], int(e["sequence"])) for e in (json.loads(r.value) for r in records if r.value)]


async def test_a_compensation_rebuild_keeps_the_ledger_and_publishes_nothing_again(
        backend: Backend, infrastructure: dict[str, str]) -> None:
    url = await backend.database_url("compensation")
    async with running_service("compensation", database_url=url, platform=backend.platform,
                               embedded_bus=backend.embedded_bus, clock=FixedClock(NOW)) as live:
        await setup_plan(live.client, WORKED_PLAN, {"rep-1": "1000.00"})
        await send(backend, "coxswain.deal.closed.v1", closed("d1", "800.00"), "d1", 1)
        await send(backend, "coxswain.deal.closed.v1", closed("d2", "600.00"), "d2", 1)
        # both closes applied before the reopen arrives: one batch holding all three would fold d1 away and
        # append only d2's net line (the same total, fewer lines); this test wants the reopen's own lines
        assert sorted(x["amount"] for x in await lines_until(live.client, 3, rep_id="rep-1")) == [
            "20.00", "60.00", "80.00"]
        reopened = ev.DealReopened(deal_id="d1", stage_id="s1", reopened_at=NOW)
        await backend.produce_raw(backend.topic("coxswain.pipeline"), "d1", build_event(
            "coxswain.deal.reopened.v1", reopened, subject="d1", sequence=2).model_dump_json().encode())
        # d1 800 at 10% = 80; d2 600: 200 to quota at 10% + 400 above at 15% = 80; d1 reopened: d1 −80 and d2
        # recalculated alone (600 at 10% = 60): +40 below quota, −60 above
        ledger = await lines_until(live.client, 6, rep_id="rep-1")
        assert sorted(x["amount"] for x in ledger) == ["-60.00", "-80.00", "20.00", "40.00", "60.00", "80.00"]
        await eventually(live.runtime.relay.pending, until=lambda n: n == 0)
    events = await _published(backend)
    assert sorted(t for t, _ in events) == ["coxswain.commission.calculated.v1"] * 3 + [
        "coxswain.commission.reversed.v1", "coxswain.quota.set.v1"]
    kept = [select(commission_lines), select(credits), select(plans), select(outbox)]
    before = [await _rows(url, q) for q in kept]

    settings = settings_for("compensation", database_url=url, platform=backend.platform)
    admin = str(make_url(infrastructure["pg"]).database)
    report = await rebuild(SPEC, settings, switch=True, clock=FixedClock(NOW + timedelta(days=1)),
                           embedded_bus=backend.embedded_bus, admin_database=admin)
    try:
        assert (report.events, report.outcomes["handled"]) == (3, 3)
        # replayed in one batch against the kept ledger, the handlers fold each deal's events and recalculate the
        # rep-period once: the calculation from the final facts equals the kept ledger (path-independent), so
        # they append nothing and announce nothing; nothing is published again either way (outbox below)
        assert report.unpublished == 0
        assert report.differences == [] and [c.live_rows for c in report.comparisons] == [2, 0, 0]
        assert [await _rows(url, q) for q in kept] == before  # the ledger, plans and outbox, row for row
        assert await _rows(url, select(deals.c.deal_id, deals.c.status).order_by(deals.c.deal_id)) == [
            ("d1", "open"), ("d2", "won")]
        async with running_service("compensation", database_url=url, platform=backend.platform,
                                   embedded_bus=backend.embedded_bus, clock=FixedClock(NOW)) as switched:
            assert await switched.runtime.relay.publish_pending() == 0
            r = await switched.client.put("/v1/quotas/rep-1/2026-Q4", headers=OPS,
                                          json={"amount": "1200.00", "currency": "USD"})
            assert r.status_code == 200, r.text
            await eventually(switched.runtime.relay.pending, until=lambda n: n == 0)
        # only the new quota went out, and its sequence carries on from the live database's counter
        assert sorted(await _published(backend)) == sorted([*events, ("coxswain.quota.set.v1", 2)])
    finally:
        if backend.kind == "kafka" and report.backup:
            await _drop(backend, infrastructure, make_url(url).set(database=report.backup).render_as_string())
