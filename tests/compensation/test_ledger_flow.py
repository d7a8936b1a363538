"""The ledger from deal events on the embedded bus: the worked example end to end, clawbacks, adjustments,
redelivery under the same and a new event id, pending commission and its release, period locks."""
from __future__ import annotations

from decimal import Decimal as D

from shared.events import catalog as ev
from shared.testing import eventually
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService
from tests.compensation.conftest import (
    LATER,
    OPS,
    WORKED_PLAN,
    closed,
    lines,
    lines_until,
    published,
    send,
    setup_plan,
)

CLOSED_T = "coxswain.deal.closed.v1"
REOPENED_T = "coxswain.deal.reopened.v1"


def _amounts(items: list[dict]) -> list[tuple[str, str, str]]:
    return [(x["deal_id"], x["base"], x["amount"]) for x in items]


async def test_the_worked_example_through_the_service(compensation: RunningService,
                                                      embedded_backend: EmbeddedBackend) -> None:
    client = compensation.client
    await setup_plan(client, WORKED_PLAN, {"rep-1": "100000.00"})
    await send(embedded_backend, CLOSED_T, closed("d-80", "80000.00"), "d-80", 1)
    await send(embedded_backend, CLOSED_T, closed("d-40", "40000.00", at=LATER), "d-40", 1)
    got = await lines_until(client, 3)
    # 80,000 at 10% = 8,000; then 20,000 at 10% = 2,000 and 20,000 at 15% = 3,000
    assert _amounts(got) == [("d-80", "80000.00", "8000.00"), ("d-40", "20000.00", "2000.00"),
                             ("d-40", "20000.00", "3000.00")]
    assert [(x["tier"], x["attainment_before"], x["attainment_after"], x["plan_version"]) for x in got] == [
        ("0-100%", "0.0000", "80.0000", 1), ("0-100%", "80.0000", "100.0000", 1),
        ("100%+", "100.0000", "120.0000", 1)]
    assert got[0]["period"] == "2026-Q4"
    reopened = ev.DealReopened(deal_id="d-40", stage_id="negotiation", reopened_at=got[0]["created_at"])
    await send(embedded_backend, REOPENED_T, reopened, "d-40", 2)
    got = await lines_until(client, 5)
    # the 40,000 deal reopened: −2,000 and −3,000; the rep keeps 8,000
    assert _amounts(got[3:]) == [("d-40", "-20000.00", "-2000.00"), ("d-40", "-20000.00", "-3000.00")]
    assert sum(D(x["amount"]) for x in got) == D("8000.00")
    calculated = await eventually(lambda: published(embedded_backend, "coxswain.commission.calculated.v1"),
                                  until=lambda es: len(es) >= 2)
    assert [(e["data"]["deal_id"], e["data"]["amount"]) for e in calculated] == [("d-80", "8000.00"),
                                                                                 ("d-40", "5000.00")]
    assert calculated[1]["data"]["lines"][1] == {
        "component": "quota", "base": "20000.00", "rate": "0.15", "amount": "3000.00", "kind": "commission",
        "tier": "100%+", "attainment_before": "100.0000", "attainment_after": "120.0000"}
    reversed_ = await eventually(lambda: published(embedded_backend, "coxswain.commission.reversed.v1"))
    assert [(e["data"]["deal_id"], e["data"]["amount"], e["data"]["reason"]) for e in reversed_] == [
        ("d-40", "-5000.00", "deal reopened")]


async def test_a_redelivered_event_and_the_same_fact_under_a_new_id_pay_once(
        compensation: RunningService, embedded_backend: EmbeddedBackend) -> None:
    client = compensation.client
    await setup_plan(client, WORKED_PLAN, {"rep-1": "100000.00", "rep-2": "100000.00"})
    fact = closed("d-1", "80000.00", [("rep-1", "60"), ("rep-2", "40")])
    raw = await send(embedded_backend, CLOSED_T, fact, "d-1", 1)
    await send(embedded_backend, CLOSED_T, fact, "d-1", 1, raw=raw)  # the same event id again
    await send(embedded_backend, CLOSED_T, fact, "d-1", 2)  # the same fact, a new id and sequence
    await send(embedded_backend, CLOSED_T, closed("marker", "10.00"), "marker", 1)
    got = await lines_until(client, 3)
    # 60% and 40% of 80,000: bases 48,000 and 32,000 at 10% → 4,800 and 3,200, once each; marker 10 × 10% = 1
    assert sorted((x["rep_id"], x["deal_id"], x["base"], x["amount"]) for x in got) == [
        ("rep-1", "d-1", "48000.00", "4800.00"), ("rep-1", "marker", "10.00", "1.00"),
        ("rep-2", "d-1", "32000.00", "3200.00")]


async def test_amount_change_and_loss_after_won_adjust_in_the_open_period(
        compensation: RunningService, embedded_backend: EmbeddedBackend) -> None:
    client = compensation.client
    await setup_plan(client, WORKED_PLAN, {"rep-1": "100000.00"})
    await send(embedded_backend, CLOSED_T, closed("d-1", "50000.00"), "d-1", 1)
    await lines_until(client, 1)
    assert (await client.post("/v1/periods/2026-Q4/close", headers=OPS)).status_code == 200
    await send(embedded_backend, "coxswain.deal.updated.v1",
               ev.DealUpdated(deal_id="d-1", amount=D("110000.00"), currency="USD"), "d-1", 2)
    got = await lines_until(client, 3)
    # paid 5,000 on 50,000 in Q4; Q4 is closed. Q4 recalculated on 110,000: 100,000 at 10% = 10,000 and 10,000 at
    # 15% = 1,500; the difference (+5,000 in the 0-100% band, +1,500 in 100%+) lands in 2027-Q1, naming Q4
    fix = "prior-period adjustment for 2026-Q4: deal amount, split or owner changed after won"
    assert [(x["period"], x["tier"], x["base"], x["amount"], x["reason"]) for x in got] == [
        ("2026-Q4", "0-100%", "50000.00", "5000.00", "deal closed won"),
        ("2027-Q1", "0-100%", "50000.00", "5000.00", fix), ("2027-Q1", "100%+", "10000.00", "1500.00", fix)]
    await send(embedded_backend, CLOSED_T, closed("d-1", "110000.00", outcome="lost"), "d-1", 3)
    got = await lines_until(client, 5)
    lost = "prior-period adjustment for 2026-Q4: deal lost after won"
    assert [(x["period"], x["amount"], x["reason"]) for x in got[3:]] == [("2027-Q1", "-10000.00", lost),
                                                                         ("2027-Q1", "-1500.00", lost)]
    assert sum(D(x["amount"]) for x in got) == D("0.00")  # 5,000 + 5,000 + 1,500 − 10,000 − 1,500
    r = await client.post("/v1/periods/2026-Q4/close", headers=OPS)
    assert r.status_code == 409


async def test_commission_waits_for_a_rate_then_is_paid_at_the_close_date_rate(
        compensation: RunningService, embedded_backend: EmbeddedBackend) -> None:
    client = compensation.client
    await setup_plan(client, {**WORKED_PLAN, "components": [{"kind": "rate", "name": "flat", "rate": "0.10"}]},
                     {"rep-1": None})
    await send(embedded_backend, CLOSED_T, closed("d-eur", "10000.00", currency="EUR"), "d-eur", 1)

    async def pending() -> list[dict]:
        return (await client.get("/v1/commissions/pending", headers=OPS)).json()["items"]  # type: ignore[no-any-return]

    waiting = await eventually(pending)
    assert [(p["deal_id"], p["rep_id"], p["reason"]) for p in waiting] == [
        ("d-eur", "rep-1", "no exchange rate EUR->USD effective on 2026-11-10")]
    assert await lines(client) == []
    # a rate effective after the close date does not apply; the one effective on 1 November does
    for day, rate in (("2026-11-15", "1.20000000"), ("2026-11-01", "1.08")):
        r = await client.put(f"/v1/exchange-rates/EUR/USD/{day}", headers=OPS, json={"rate": rate})
        assert r.status_code == 200, r.text
    got = await lines(client)
    # 10,000 EUR × 1.08 = 10,800.00 USD at 10% = 1,080.00
    assert [(x["base"], x["amount"], x["currency"]) for x in got] == [("10800.00", "1080.00", "USD")]
    assert await pending() == []


async def test_no_plan_waits_until_an_assignment_and_versions_keep_their_lines(
        compensation: RunningService, embedded_backend: EmbeddedBackend) -> None:
    client = compensation.client
    plan = {**WORKED_PLAN, "components": [{"kind": "rate", "name": "flat", "rate": "0.10"}]}
    assert (await client.post("/v1/plans", headers=OPS, json=plan)).status_code == 201
    await send(embedded_backend, CLOSED_T, closed("d-1", "1000.00"), "d-1", 1)
    await eventually(lambda: client.get("/v1/commissions/pending", headers=OPS),
                     until=lambda r: r.json()["items"] != [])
    r = await client.post("/v1/plans/ae-2026/assignments", headers=OPS,
                          json={"rep_id": "rep-1", "starts_on": "2026-01-01"})
    assert r.status_code == 201
    # a new version from 15 November pays 20%; the deal closed on the 10th keeps version 1 at 10%
    r = await client.post("/v1/plans/ae-2026/versions", headers=OPS, json={
        **{k: plan[k] for k in ("currency", "period_kind")}, "effective_from": "2026-11-15",
        "components": [{"kind": "rate", "name": "flat", "rate": "0.20"}]})
    assert r.status_code == 201 and [v["version"] for v in r.json()["versions"]] == [1, 2]
    at = closed("d-2", "1000.00").closed_at.replace(day=16)
    await send(embedded_backend, CLOSED_T, closed("d-2", "1000.00", at=at), "d-2", 1)
    got = await lines_until(client, 2)
    # 1,000 × 10% = 100.00 under v1; 1,000 × 20% = 200.00 under v2
    assert [(x["deal_id"], x["amount"], x["plan_version"]) for x in got] == [("d-1", "100.00", 1), ("d-2", "200.00", 2)]
    clash = await client.post("/v1/plans/ae-2026/assignments", headers=OPS,
                              json={"rep_id": "rep-1", "starts_on": "2026-06-01", "ends_on": "2026-12-31"})
    assert clash.status_code == 409


async def test_spif_from_deal_extras(compensation: RunningService, embedded_backend: EmbeddedBackend) -> None:
    client = compensation.client
    plan = {**WORKED_PLAN, "components": [
        {"kind": "rate", "name": "flat", "rate": "0.10"},
        {"kind": "spif", "name": "new_logo", "amount": "500.00", "criteria": {"new_logo": True}}]}
    await setup_plan(client, plan, {"rep-1": None, "rep-2": None})
    await send(embedded_backend, CLOSED_T, closed("d-1", "2000.00", [("rep-1", "50"), ("rep-2", "50")],
                                                  new_logo=True), "d-1", 1)
    got = await lines_until(client, 4)
    # each rep: 1,000 × 10% = 100.00, and half of the 500.00 new-logo SPIF = 250.00
    assert sorted((x["rep_id"], x["component"], x["amount"]) for x in got) == [
        ("rep-1", "flat", "100.00"), ("rep-1", "new_logo", "250.00"),
        ("rep-2", "flat", "100.00"), ("rep-2", "new_logo", "250.00")]


async def test_an_amount_with_fractions_of_a_cent_is_dead_lettered(compensation: RunningService,
                                                                  embedded_backend: EmbeddedBackend) -> None:
    client = compensation.client
    await setup_plan(client, {**WORKED_PLAN, "components": [{"kind": "rate", "name": "flat", "rate": "0.10"}]},
                     {"rep-1": None})
    await send(embedded_backend, CLOSED_T, closed("d-bad", "100.005"), "d-bad", 1)
    await send(embedded_backend, CLOSED_T, closed("d-ok", "100.00"), "d-ok", 1)
    got = await lines_until(client, 1)
    assert [(x["deal_id"], x["amount"]) for x in got] == [("d-ok", "10.00")]  # 100.00 × 10%
    dlq = f"{embedded_backend.topic('coxswain.pipeline')}.dlq.{embedded_backend.platform.group('compensation')}"
    dead = await eventually(lambda: embedded_backend.read_topic(dlq))
    assert [r.key for r in dead] == ["d-bad"]


async def test_a_split_change_on_a_won_deal_moves_the_commission(compensation: RunningService,
                                                                 embedded_backend: EmbeddedBackend) -> None:
    client = compensation.client
    await setup_plan(client, {**WORKED_PLAN, "components": [{"kind": "rate", "name": "flat", "rate": "0.10"}]},
                     {"rep-1": None, "rep-2": None})
    await send(embedded_backend, CLOSED_T, closed("d-1", "9000.00"), "d-1", 1)
    await lines_until(client, 1)
    new_splits = [ev.Split(rep_id="rep-1", percent=D("50")), ev.Split(rep_id="rep-2", percent=D("50"))]
    await send(embedded_backend, "coxswain.deal.updated.v1", ev.DealUpdated(deal_id="d-1", splits=new_splits),
               "d-1", 2)
    got = await lines_until(client, 3)
    # 9,000 × 10% = 900 to rep-1; at 50/50 each is due 4,500 × 10% = 450: rep-1 gives back 450, rep-2 gets 450
    assert [(x["rep_id"], x["base"], x["amount"]) for x in got] == [
        ("rep-1", "9000.00", "900.00"), ("rep-1", "-4500.00", "-450.00"), ("rep-2", "4500.00", "450.00")]
