"""Lead ownership across leads and territory, on both buses: territory chooses every new owner (a deactivated
rep's leads, a breached follow-up SLA) under the lead's territory and its members, leads applies it and
announces every owner change (to nobody too), and coverage follows, so both services count the same open
leads per rep."""
from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from services.leads.domain.leads import OPEN_STATUSES
from services.leads.handlers import EVENT_HANDLERS as LEADS_HANDLES
from services.leads.workers import sweep_once
from services.territory.handlers import EVENT_HANDLERS as TERRITORY_HANDLES
from shared.clock import FixedClock
from shared.db.plumbing import outbox
from shared.testing import eventually
from shared.testing.backends import Backend
from shared.testing.harness import RunningService, running_service
from tests.leads.conftest import T0, processed
from tests.leads.conftest import published as leads_events
from tests.territory.conftest import OPS
from tests.territory.conftest import published as territory_events


@dataclass
class Pair:
    leads: RunningService
    territory: RunningService
    clock: FixedClock


@asynccontextmanager
async def _services(backend: Backend) -> AsyncIterator[Pair]:
    clock = FixedClock(T0)
    async with running_service("leads", database_url=await backend.database_url("leads"),
                               platform=backend.platform, embedded_bus=backend.embedded_bus, clock=clock,
                               sla_sweep_seconds=3600) as leads, \
            running_service("territory", database_url=await backend.database_url("territory"),
                            platform=backend.platform, embedded_bus=backend.embedded_bus) as territory:
        yield Pair(leads, territory, clock)


async def _organise(territory: RunningService, teams: dict[str, dict[str, int]],
                    territories: Iterable[dict[str, Any]]) -> None:
    for team_id, reps in teams.items():
        assert (await territory.client.post("/v1/teams", headers=OPS, json={
            "id": team_id, "name": team_id})).status_code == 201
        for rep_id, capacity in reps.items():
            assert (await territory.client.post("/v1/reps", headers=OPS, json={
                "id": rep_id, "name": rep_id, "email": f"{rep_id}@corp.example", "team_id": team_id,
                "capacity": capacity})).status_code == 201
    for body in territories:
        created = await territory.client.post("/v1/territories", headers=OPS, json=body)
        assert created.status_code == 201, created.text


def _by_country(territory_id: str, rep_ids: list[str], *countries: str, **more: Any) -> dict[str, Any]:
    return {"id": territory_id, "name": territory_id, "rep_ids": rep_ids, **more,
            "rules": [{"conditions": [{"field": "country", "op": "in", "value": list(countries)}]}]}


async def _capture(pair: Pair, n: int, country: str, tag: str) -> list[str]:
    ids = []
    for i in range(n):
        r = await pair.leads.client.post("/v1/leads", headers=OPS, json={
            "email": f"buyer{i}@{tag}.example", "name": f"Buyer {i}", "company": f"{tag} {i}", "country": country})
        assert r.status_code == 201, r.text
        ids.append(r.json()["lead"]["id"])
    return ids


async def _outbox_rows(service: RunningService, types: Iterable[str]) -> int:
    async with service.runtime.uow() as uow:
        query = select(func.count()).select_from(outbox).where(outbox.c.event_type.in_(list(types)))
        return int((await uow.session.execute(query)).scalar_one())


async def _settled(pair: Pair) -> bool:
    """Every event either service wrote for the other has been handled by it. Inbox counts are read before
    outbox counts: anything still in flight (or caused by an event in flight) keeps them apart."""
    handled_by_territory, handled_by_leads = await processed(pair.territory), await processed(pair.leads)
    return (handled_by_territory == await _outbox_rows(pair.leads, TERRITORY_HANDLES)
            and handled_by_leads == await _outbox_rows(pair.territory, LEADS_HANDLES))


async def _quiet(pair: Pair) -> None:
    await eventually(lambda: _settled(pair))


async def _leads(pair: Pair) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        page = (await pair.leads.client.get("/v1/leads", headers=OPS, params={
            "limit": 500, **({"cursor": cursor} if cursor else {})})).json()
        found.update({lead["id"]: lead for lead in page["items"]})
        cursor = page.get("next_cursor")
        if not cursor:
            return found


async def _open_per_rep_in_leads(pair: Pair) -> Counter[str | None]:
    return Counter(x["owner_id"] for x in (await _leads(pair)).values() if x["status"] in OPEN_STATUSES)


async def _coverage(pair: Pair, rollup: bool = True) -> dict[str, Any]:
    r = await pair.territory.client.get("/v1/coverage", headers=OPS, params={"rollup": str(rollup).lower()})
    assert r.status_code == 200, r.text
    return r.json()


def _open_per_rep_in_coverage(coverage: dict[str, Any]) -> dict[str, int]:
    return {row["rep_id"]: row["open_leads"] for row in coverage["reps"]}


async def test_a_deactivated_reps_leads_go_to_the_other_members_of_their_territory_or_to_nobody(
        backend: Backend) -> None:
    async with _services(backend) as pair:
        # cy is in ana's team with room to spare, but not a member of emea: she must get none of ana's leads
        await _organise(pair.territory, {"europe": {"ana": 5, "bo": 2, "eve": 1, "cy": 10}, "asia": {"dee": 5}}, [
            _by_country("emea", ["ana"], "DE", "FR"), _by_country("uk", ["cy"], "GB"),
            _by_country("apac", ["dee"], "JP")])
        ana_leads = await _capture(pair, 4, "Germany", "de")
        await _capture(pair, 1, "United Kingdom", "uk")
        await _capture(pair, 1, "Japan", "jp")
        await _quiet(pair)
        assert await _open_per_rep_in_leads(pair) == {"ana": 4, "cy": 1, "dee": 1}
        grown = await pair.territory.client.put("/v1/territories/emea/reps", headers=OPS,
                                                json={"rep_ids": ["ana", "bo", "eve"]})
        assert grown.status_code == 200, grown.text

        assert (await pair.territory.client.post("/v1/reps/ana/deactivate", headers=OPS)).status_code == 200
        await _quiet(pair)
        # In lead id order, emea's rotation (weights bo 2, eve 1; counters from 0):
        #   1st: bo 2, eve 1 → bo (bo 2-3 = -1)      2nd: bo 1, eve 2 → eve (eve -1; eve full at 1)
        #   3rd: only bo (1 of 2): → bo (bo full)     4th: nobody free in emea, no parent, no default → nobody
        leads = await _leads(pair)
        assert [leads[i]["owner_id"] for i in sorted(ana_leads)] == ["bo", "eve", "bo", None]
        assert await _open_per_rep_in_leads(pair) == {"bo": 2, "eve": 1, "cy": 1, "dee": 1, None: 1}
        coverage = await _coverage(pair)
        assert _open_per_rep_in_coverage(coverage) == {"ana": 0, "bo": 2, "eve": 1, "cy": 1, "dee": 1}
        emea = next(t for t in coverage["territories"] if t["territory_id"] == "emea")
        assert (emea["open_leads"], emea["waiting_without_rep"]) == (4, 1)  # 3 held + 1 waiting

        nobody = sorted(ana_leads)[-1]
        assigned = [e["data"] for e in await leads_events(backend, "coxswain.lead.assigned.v1")
                    if e["subject"] == nobody]
        assert [(a["rep_id"], a["previous_rep_id"], a["territory_id"], a["reason"]) for a in assigned][-1] == (
            None, "ana", "emea", "routed: rep ana deactivated: matched rule 0 of territory emea; "
                                 "no active rep below capacity in emea")
        routed = [e for e in await territory_events(backend, "coxswain.lead.routed.v1") if e["subject"] == nobody]
        assert [(int(e["sequence"]), e["data"]["rep_id"]) for e in routed] == [(1, "ana"), (2, None)]

        # deactivating ana again (a repeated fact) moves nothing: she holds no open lead
        assert (await pair.territory.client.post("/v1/reps/ana/deactivate", headers=OPS)).status_code == 200
        await _quiet(pair)
        assert len(await territory_events(backend, "coxswain.lead.routed.v1")) == 6 + 4

        # the waiting lead's follow-up clock restarted: untouched, it is breached "by nobody" and territory
        # tries again; eve now has room for 2 (rotation: eve -1 + 2 = 1, the only one free) and takes it
        for other in set(leads) - {nobody}:
            touched = await pair.leads.client.patch(f"/v1/leads/{other}", headers=OPS, json={"status": "working"})
            assert touched.status_code == 200
        roomier = await pair.territory.client.put("/v1/reps/eve", headers=OPS, json={
            "name": "eve", "email": "eve@corp.example", "team_id": "europe", "capacity": 2})
        assert roomier.status_code == 200, roomier.text
        pair.clock.advance(minutes=1440)  # cold: 1440 minutes from the unassignment at 09:00
        assert await sweep_once(pair.leads.runtime.uow) == 1
        await _quiet(pair)
        placed = (await pair.leads.client.get(f"/v1/leads/{nobody}", headers=OPS)).json()
        assert (placed["owner_id"], placed["assignments"][-1]["reason"]) == (
            "eve", "routed: follow-up SLA breached by nobody: matched rule 0 of territory emea")
        coverage = await _coverage(pair)
        assert _open_per_rep_in_coverage(coverage) == {"ana": 0, "bo": 2, "eve": 2, "cy": 1, "dee": 1}
        assert next(t for t in coverage["territories"] if t["territory_id"] == "emea")["waiting_without_rep"] == 0


async def test_a_breached_follow_up_sla_moves_the_lead_to_another_member_of_its_territory(
        backend: Backend) -> None:
    async with _services(backend) as pair:
        await _organise(pair.territory, {"europe": {"ana": 5, "bo": 5, "cy": 5}}, [
            _by_country("emea", ["ana", "bo"], "DE"), _by_country("uk", ["cy"], "GB")])
        (lead_id,) = await _capture(pair, 1, "Germany", "de")
        await _quiet(pair)

        async def lead() -> dict[str, Any]:
            return (await pair.leads.client.get(f"/v1/leads/{lead_id}", headers=OPS)).json()

        first = await lead()
        assert first["owner_id"] == "ana"  # counters ana 5, bo 5: the tie goes to the lower id
        assert first["sla_due_at"] == "2026-11-03T09:00:00Z"  # score 10 (core market) → cold: 1440 minutes
        pair.clock.advance(minutes=1439)
        assert await sweep_once(pair.leads.runtime.uow) == 0  # a minute before the deadline
        pair.clock.advance(minutes=2)  # 2026-11-03 09:01
        assert await sweep_once(pair.leads.runtime.uow) == 1
        await _quiet(pair)
        second = await lead()
        # not ana (she let it wait), not cy (same team, another territory): bo, with a fresh deadline
        assert (second["owner_id"], second["sla_breaches"]) == ("bo", 1)
        assert second["sla_due_at"] == "2026-11-04T09:01:00Z"  # 1440 minutes from the re-assignment at 09:01
        assert second["assignments"][-1]["reason"] == (
            "routed: follow-up SLA breached by ana: matched rule 0 of territory emea")
        assert _open_per_rep_in_coverage(await _coverage(pair)) == {"ana": 0, "bo": 1, "cy": 0}

        # bo lets it wait too, and ana has left: nobody else in emea, so it stays with bo (nothing announced)
        assert (await pair.territory.client.post("/v1/reps/ana/deactivate", headers=OPS)).status_code == 200
        pair.clock.advance(minutes=1441)
        assert await sweep_once(pair.leads.runtime.uow) == 1
        await _quiet(pair)
        third = await lead()
        assert (third["owner_id"], third["sla_breaches"]) == ("bo", 2)
        routed = [e for e in await territory_events(backend, "coxswain.lead.routed.v1") if e["subject"] == lead_id]
        assert [e["data"]["rep_id"] for e in routed] == ["ana", "bo"]
        assert _open_per_rep_in_coverage(await _coverage(pair)) == {"ana": 0, "bo": 1, "cy": 0}



COUNTRIES = ("Germany", "France", "United Kingdom", "Japan", "Australia", "United States", "Brazil")


async def test_after_a_workload_leads_and_coverage_count_the_same_open_leads_per_rep(backend: Backend) -> None:
    async with _services(backend) as pair:
        await _organise(pair.territory, {
            "europe": {"ana": 8, "bo": 6, "eve": 4, "cy": 6}, "rest": {"dee": 5, "fin": 3, "gus": 3, "hal": 4}}, [
            {"id": "world", "name": "world", "rep_ids": ["gus"], "is_default": True},
            _by_country("emea", ["ana", "bo", "eve"], "DE", "FR"), _by_country("uk", ["cy", "bo"], "GB"),
            _by_country("apac", ["dee", "hal"], "JP", "AU"), _by_country("americas", [], "US", parent_id="world")])
        ids = []
        for i in range(63):  # nine of each country, a minute apart, so follow-up deadlines come one by one
            ids += await _capture(pair, 1, COUNTRIES[i % len(COUNTRIES)], f"w{i}")
            pair.clock.advance(minutes=1)
        await _quiet(pair)
        for i, lead_id in enumerate(ids):
            change = ({"status": "working"} if i % 7 == 3 else
                      {"status": "disqualified", "disqualified_reason": "no budget"} if i % 11 == 5 else None)
            if change:
                assert (await pair.leads.client.patch(f"/v1/leads/{lead_id}", headers=OPS,
                                                      json=change)).status_code == 200
        for lead_id in ids[::13]:
            converted = await pair.leads.client.post(f"/v1/leads/{lead_id}/convert", headers=OPS,
                                                     json={"amount": "1000.00", "currency": "EUR"})
            assert converted.status_code in (200, 409), converted.text  # a disqualified lead cannot convert
        for rep_id in ("ana", "dee"):
            assert (await pair.territory.client.post(f"/v1/reps/{rep_id}/deactivate", headers=OPS)).status_code == 200
        plan = await pair.territory.client.post("/v1/plans", headers=OPS, json={
            "name": "France apart", "upsert": [_by_country("france", ["fin"], "FR", priority=5)]})
        assert plan.status_code == 201, plan.text
        activated = await pair.territory.client.post(f"/v1/plans/{plan.json()['id']}/activate", headers=OPS)
        assert activated.status_code == 200, activated.text
        await _quiet(pair)
        pair.clock.advance(minutes=1440 - 63 + 30)  # the first 30 captured leads are past their deadline
        first_sweep = await sweep_once(pair.leads.runtime.uow)
        await _quiet(pair)
        assert (await pair.territory.client.post("/v1/reps/bo/deactivate", headers=OPS)).status_code == 200
        pair.clock.advance(days=2)  # every lead still new is past its deadline again
        second_sweep = await sweep_once(pair.leads.runtime.uow)
        await _quiet(pair)

        in_leads = await _open_per_rep_in_leads(pair)
        coverage = await _coverage(pair, rollup=False)
        in_coverage = _open_per_rep_in_coverage(coverage)
        assert {rep: in_leads.get(rep, 0) for rep in in_coverage} == in_coverage
        assert set(in_leads) - {None} <= set(in_coverage)
        assert in_leads[None] == sum(t["waiting_without_rep"] for t in coverage["territories"])
        assert in_coverage["ana"] == in_coverage["dee"] == in_coverage["bo"] == 0  # deactivated: none left
        capacities = {"cy": 6, "eve": 4, "fin": 3, "gus": 3, "hal": 4}
        assert all(in_coverage[rep] <= cap for rep, cap in capacities.items())

        # not a vacuous agreement: the workload moved leads on every path, to reps and to nobody
        assert first_sweep > 0 and second_sweep > 0
        reasons = [e["data"]["reason"] for e in await leads_events(backend, "coxswain.lead.assigned.v1")]
        for why in ("routed: rep ana deactivated", "routed: rep dee deactivated", "routed: plan France apart",
                    "routed: follow-up SLA breached by"):
            assert any(r.startswith(why) for r in reasons), why
        assert any(e["data"]["rep_id"] is None for e in await leads_events(backend, "coxswain.lead.assigned.v1"))
