"""Coverage follows a stream of lead, deal and quota events, including a repeated event, the same fact
under a new event id, and an out-of-order (stale) event, on both buses."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select

from shared.clock import FixedClock
from shared.db.plumbing import processed_events
from shared.events import catalog as ev
from shared.testing import auth_headers, build_event, eventually
from shared.testing.backends import Backend
from shared.testing.harness import RunningService, running_service
from tests.territory.conftest import OPS, published

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
AT = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return AT.replace(minute=minutes)


async def _send(backend: Backend, topic: str, event_type: str, subject: str, data: object, seq: int,
                raw: bytes | None = None) -> bytes:
    value = raw or build_event(event_type, data, subject=subject, sequence=seq).model_dump_json().encode()  # type: ignore
    await backend.produce_raw(backend.topic(topic), subject, value)
    return value


async def _setup(client) -> None:  # type: ignore[no-untyped-def]
    assert (await client.post("/v1/teams", headers=OPS, json={"id": "emea", "name": "EMEA"})).status_code == 201
    for rep_id, capacity in (("ana", 4), ("bo", 2)):
        body = {"id": rep_id, "name": rep_id, "email": f"{rep_id}@example.com", "capacity": capacity,
                "team_id": "emea" if rep_id == "ana" else None}
        assert (await client.post("/v1/reps", headers=OPS, json=body)).status_code == 201
    for body in ({"id": "emea", "name": "EMEA"},
                 {"id": "de", "name": "Germany", "parent_id": "emea", "rep_ids": ["ana", "bo"],
                  "rules": [{"conditions": [{"field": "country", "op": "eq", "value": "DE"}]}]},
                 {"id": "rest", "name": "Rest", "is_default": True}):
        assert (await client.post("/v1/territories", headers=OPS, json=body)).status_code == 201


async def _lead(backend: Backend, lead_id: str, country: str) -> None:
    await _send(backend, "coxswain.leads", "coxswain.lead.created.v1", lead_id,
                ev.LeadCreated(lead_id=lead_id, country=country, created_at=AT), 1)
    await eventually(lambda: published(backend, "coxswain.lead.routed.v1"),
                     until=lambda es: any(e["subject"] == lead_id for e in es))


async def _stream(backend: Backend) -> int:
    """The events after routing; returns how many distinct event ids were sent (3 lead.created before)."""
    leads, pipeline = "coxswain.leads", "coxswain.pipeline"
    await _send(backend, leads, "coxswain.lead.assigned.v1", "L1", ev.LeadAssigned(
        lead_id="L1", rep_id="ana", territory_id="de", assigned_at=at(0), reason="routed"), 2)
    await _send(backend, leads, "coxswain.lead.status_changed.v1", "L1", ev.LeadStatusChanged(
        lead_id="L1", from_status="new", to_status="contacted", changed_at=at(30)), 3)
    await _send(backend, leads, "coxswain.lead.status_changed.v1", "L2", ev.LeadStatusChanged(
        lead_id="L2", from_status="new", to_status="disqualified", changed_at=at(5)), 2)
    await _send(backend, pipeline, "coxswain.deal.created.v1", "D1", ev.DealCreated(
        deal_id="D1", name="D1", amount=Decimal("1000.00"), currency="USD", owner_id="ana", territory_id="de",
        pipeline_id="p", stage_id="s", probability=10, forecast_category="pipeline", created_at=AT), 1)
    closed = await _send(backend, pipeline, "coxswain.deal.closed.v1", "D1", ev.DealClosed(
        deal_id="D1", outcome="won", amount=Decimal("1000.00"), currency="USD", owner_id="ana", territory_id="de",
        created_at=AT, closed_at=at(40)), 2)
    await _send(backend, pipeline, "", "D1", None, 0, raw=closed)  # the very same event again: a duplicate
    await _send(backend, pipeline, "coxswain.deal.closed.v1", "D1", ev.DealClosed(  # same fact, new id
        deal_id="D1", outcome="won", amount=Decimal("1000.00"), currency="USD", owner_id="ana", territory_id="de",
        created_at=AT, closed_at=at(40)), 3)
    await _send(backend, pipeline, "coxswain.deal.created.v1", "D2", ev.DealCreated(
        deal_id="D2", name="D2", amount=Decimal("500.00"), currency="USD", owner_id="bo", territory_id="de",
        pipeline_id="p", stage_id="s", probability=10, forecast_category="pipeline", created_at=AT), 1)
    for seq, amount in ((3, "600.00"), (2, "700.00")):  # seq 2 arrives after seq 3: stale, must not win
        await _send(backend, pipeline, "coxswain.deal.stage_changed.v1", "D2", ev.DealStageChanged(
            deal_id="D2", from_stage_id="s", to_stage_id="t", probability=40, forecast_category="pipeline",
            amount=Decimal(amount), currency="USD", owner_id="bo", changed_at=at(seq * 10)), seq)
    await _send(backend, "coxswain.compensation", "coxswain.quota.set.v1", "ana:2026-Q4", ev.QuotaSet(
        rep_id="ana", period="2026-Q4", amount=Decimal("4000.00"), currency="USD"), 1)
    return 3 + 10  # 11 sends after the 3 lead.created, one of them a byte-for-byte repeat


async def _processed(service: RunningService) -> int:
    async with service.runtime.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(processed_events))).scalar_one())


async def test_coverage_follows_the_event_stream(backend: Backend) -> None:
    async with running_service("territory", database_url=await backend.database_url("territory"),
                               platform=backend.platform, embedded_bus=backend.embedded_bus,
                               clock=FixedClock(NOW)) as territory:
        await _setup(territory.client)
        for lead_id, country in (("L1", "DE"), ("L2", "DE"), ("L3", "JP")):
            await _lead(backend, lead_id, country)  # weights ana 4, bo 2: ana, then bo; L3 to rest (no members)
        distinct = await _stream(backend)
        await eventually(lambda: _processed(territory), until=lambda n: n == distinct)
        body = (await territory.client.get("/v1/coverage", headers=OPS)).json()

        assert body["period"] == "2026-Q4" and body["unplaced_leads"] == 0
        by_t = {t["territory_id"]: t for t in body["territories"]}
        # de: L1 open (contacted), L2 disqualified; 1 held of capacity 4+2=6 → 16.7%; D2 open at 600.00 (the
        # stale 700.00 ignored); D1 won 1000.00 once (not 2000.00); quota 4000.00 → 25.0%; first touch 30 min.
        de = {k: by_t["de"][k] for k in ("open_leads", "waiting_without_rep", "active_reps", "capacity",
                                         "capacity_used_percent", "open_pipeline", "won", "quota",
                                         "attainment_percent", "median_minutes_to_first_touch")}
        assert de == {"open_leads": 1, "waiting_without_rep": 0, "active_reps": 2, "capacity": 6,
                      "capacity_used_percent": "16.7", "open_pipeline": {"USD": "600.00"},
                      "won": {"USD": "1000.00"}, "quota": {"USD": "4000.00"}, "attainment_percent": {"USD": "25.0000"},
                      "median_minutes_to_first_touch": "30.0"}
        assert {k: by_t["emea"][k] for k in de} == de  # rolled up: emea's only child is de
        assert (by_t["rest"]["open_leads"], by_t["rest"]["waiting_without_rep"],
                by_t["rest"]["capacity_used_percent"]) == (1, 1, None)
        by_r = {r["rep_id"]: r for r in body["reps"]}
        # ana: 1 of 4 → 25.0%; bo: 0 of 2 → 0.0%, D2's 600.00 is bo's pipeline.
        assert (by_r["ana"]["open_leads"], by_r["ana"]["capacity_used_percent"], by_r["ana"]["won"]) == (
            1, "25.0", {"USD": "1000.00"})
        assert (by_r["bo"]["open_leads"], by_r["bo"]["capacity_used_percent"], by_r["bo"]["open_pipeline"]) == (
            0, "0.0", {"USD": "600.00"})

        flat = (await territory.client.get("/v1/coverage", headers=OPS, params={"rollup": "false"})).json()
        emea = next(t for t in flat["territories"] if t["territory_id"] == "emea")
        assert (emea["open_leads"], emea["won"], emea["capacity"]) == (0, {}, 0)
        mine = await territory.client.get("/v1/coverage", headers=auth_headers("rep", rep_id="bo"))
        assert [r["rep_id"] for r in mine.json()["reps"]] == ["bo"]
        manager = auth_headers("manager", team_ids=["emea"])
        assert [r["rep_id"] for r in (await territory.client.get("/v1/coverage", headers=manager)).json()["reps"]] \
            == ["ana"]
        bad = await territory.client.get("/v1/coverage", headers=OPS, params={"period": "2026-Q7"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "period"


async def test_a_deal_moved_and_reopened_counts_where_it_is_now(backend: Backend) -> None:
    async with running_service("territory", database_url=await backend.database_url("territory"),
                               platform=backend.platform, embedded_bus=backend.embedded_bus,
                               clock=FixedClock(NOW)) as territory:
        await _setup(territory.client)
        pipeline = "coxswain.pipeline"
        await _send(backend, pipeline, "coxswain.deal.created.v1", "D3", ev.DealCreated(
            deal_id="D3", name="D3", amount=Decimal("300.00"), currency="USD", owner_id="bo", territory_id="de",
            pipeline_id="p", stage_id="s", probability=10, forecast_category="pipeline", created_at=AT), 1)
        await _send(backend, pipeline, "coxswain.deal.updated.v1", "D3", ev.DealUpdated(
            deal_id="D3", owner_id="ana", amount=Decimal("350.00"), updated_at=at(10)), 2)
        await _send(backend, pipeline, "coxswain.deal.closed.v1", "D3", ev.DealClosed(
            deal_id="D3", outcome="won", amount=Decimal("350.00"), currency="USD", owner_id="ana",
            territory_id="de", created_at=AT, closed_at=at(50)), 3)
        await _send(backend, pipeline, "coxswain.deal.reopened.v1", "D3", ev.DealReopened(
            deal_id="D3", stage_id="s", reopened_at=at(55)), 4)
        await eventually(lambda: _processed(territory), until=lambda n: n == 4)
        body = (await territory.client.get("/v1/coverage", headers=OPS)).json()
        de = next(t for t in body["territories"] if t["territory_id"] == "de")
        assert (de["open_pipeline"], de["won"]) == ({"USD": "350.00"}, {})  # reopened: open again, not won
        by_r = {r["rep_id"]: r for r in body["reps"]}
        assert (by_r["ana"]["open_pipeline"], by_r["bo"]["open_pipeline"]) == ({"USD": "350.00"}, {})  # moved to ana
