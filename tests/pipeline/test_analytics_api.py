"""Analytics over HTTP: a hand-worked month of four deals, read back from the summary rows."""
from __future__ import annotations

from shared.clock import FixedClock
from shared.testing import auth_headers
from shared.testing.harness import RunningService
from tests.pipeline.conftest import OPS, deal_body

MARCH = {"period": "2026-03"}


async def four_deals(c: object, clock: FixedClock) -> dict[str, str]:
    """Created 2026-03-02 09:00 (day 0). A: day 2 discovery, day 6 proposal, day 10 won (1,000).
    B: day 4 proposal (skipping discovery), day 10 lost (3,000). C: stays in qualification (2,000, due 03-05).
    D: day 1 discovery (500)."""
    post = c.post  # type: ignore[attr-defined]
    ids = {}
    for key, amount, owner, due in [("A", "1000.00", "ana", None), ("B", "3000.00", "ana", None),
                                    ("C", "2000.00", "ben", "2026-03-05"), ("D", "500.00", "ben", "2026-06-30")]:
        ids[key] = (await post("/v1/deals", headers=OPS, json=deal_body(
            name=key, amount=amount, owner_id=owner, expected_close_date=due))).json()["id"]
    for day, key, stage in [(1, "D", "discovery"), (2, "A", "discovery"), (4, "B", "proposal"),
                            (6, "A", "proposal")]:
        clock.advance(days=day - (clock.now().day - 2))
        await post(f"/v1/deals/{ids[key]}/stage", headers=OPS, json={"stage_id": stage})
    clock.advance(days=4)  # day 10
    await post(f"/v1/deals/{ids['A']}/close", headers=OPS, json={"outcome": "won"})
    await post(f"/v1/deals/{ids['B']}/close", headers=OPS, json={"outcome": "lost", "lost_reason": "price"})
    return ids


async def test_funnel_conversion_and_time_in_stage(pipeline: RunningService, clock: FixedClock) -> None:
    await four_deals(pipeline.client, clock)
    funnel = (await pipeline.client.get("/v1/analytics/funnel", headers=OPS, params=MARCH)).json()
    # entered: qualification 4; discovery 3 (A, D and B who skipped it); proposal 2 (A, B); negotiation 1 (A won
    # through it); won 1. To next: 3/4, 2/3, 1/2, 1/1. To won: 1/4, 1/3, 1/2, 1/1.
    # Dwell: qualification D 1 d, A 2 d, B 4 d → mean 7/3 = 2.33, median 2; discovery A 4 d;
    # proposal A 4 d, B 6 d → mean 5, median (4+6)/2 = 5.
    assert [(s["stage_id"], s["entered"], s["conversion_to_next"], s["conversion_to_won"], s["mean_days"],
             s["median_days"]) for s in funnel["stages"]] == [
        ("qualification", 4, "0.7500", "0.2500", "2.33", "2.00"),
        ("discovery", 3, "0.6667", "0.3333", "4.00", "4.00"),
        ("proposal", 2, "0.5000", "0.5000", "5.00", "5.00"),
        ("negotiation", 1, "1.0000", "1.0000", None, None),
        ("closed_won", 1, None, "1.0000", None, None)]
    quarter = (await pipeline.client.get("/v1/analytics/funnel", headers=OPS, params={"period": "2026-Q1"})).json()
    assert quarter["stages"] == funnel["stages"]
    april = (await pipeline.client.get("/v1/analytics/funnel", headers=OPS, params={"period": "2026-04"})).json()
    assert [s["entered"] for s in april["stages"]] == [0, 0, 0, 0, 0]
    ana = (await pipeline.client.get("/v1/analytics/funnel", headers=auth_headers("rep", rep_id="ana"),
                                     params=MARCH)).json()
    assert (ana["scope"], [s["entered"] for s in ana["stages"]]) == ("rep:ana", [2, 2, 2, 1, 1])


async def test_velocity_win_rate_deal_size_and_cycle(pipeline: RunningService, clock: FixedClock) -> None:
    ids = await four_deals(pipeline.client, clock)
    velocity = (await pipeline.client.get("/v1/analytics/velocity", headers=OPS, params=MARCH)).json()
    # open now: C and D = 2; won 1 of 2 closed → 0.5; average won 1,000.00; cycle A day 0 → day 10 = 10 days;
    # velocity 2 × 0.5 × 1,000 ÷ 10 = 100.00 a day.
    assert velocity["items"] == [{"currency": "USD", "open_deals": 2, "won": 1, "lost": 1, "win_rate": "0.5000",
                                  "average_deal_size": "1000.00", "cycle_days": "10.00",
                                  "velocity_per_day": "100.00"}]
    await pipeline.client.post(f"/v1/deals/{ids['A']}/reopen", headers=OPS)
    after = (await pipeline.client.get("/v1/analytics/velocity", headers=OPS, params=MARCH)).json()["items"][0]
    # the reopen takes the win back: 3 open, 0 won, 1 lost → win rate 0, no size, no cycle, no velocity
    assert (after["open_deals"], after["won"], after["lost"], after["win_rate"], after["velocity_per_day"]) == (
        3, 0, 1, "0.0000", None)


async def test_bottlenecks_name_the_worst_stages_with_their_figures(pipeline: RunningService,
                                                                    clock: FixedClock) -> None:
    await four_deals(pipeline.client, clock)
    found = (await pipeline.client.get("/v1/analytics/bottlenecks", headers=OPS, params=MARCH)).json()
    # lowest conversion: proposal 0.5000 against the others' mean (0.7500 + 0.6667 + 1.0000) / 3 = 0.80557
    # → -0.3056; longest dwell: proposal 5.00 days against (2.33 + 4.00) / 2 = 3.165 → 5 / 3.165 = 1.58 times.
    assert found["previous_period"] == "2026-02"
    assert found["lowest_conversion"] == {
        "stage_id": "proposal", "conversion_to_next": "0.5000", "previous_conversion": None,
        "conversion_vs_others": "-0.3056", "mean_days": "5.00", "previous_mean_days": None,
        "dwell_vs_others": "1.58"}
    assert found["longest_dwell"]["stage_id"] == "proposal"
    assert [s["stage_id"] for s in found["stages"]] == ["qualification", "discovery", "proposal", "negotiation"]


async def test_stale_deals_past_due_or_idle(pipeline: RunningService, clock: FixedClock) -> None:
    ids = await four_deals(pipeline.client, clock)
    # now day 10 (2026-03-12): C is past its 03-05 close date and idle since day 0; D idle since day 1.
    async def stale(**params: object) -> list[str]:
        answer = await pipeline.client.get("/v1/analytics/stale", headers=OPS, params=params)
        return sorted(d["name"] for d in answer.json()["items"])

    assert await stale() == ["C"]  # 14 idle days by default: only the overdue one
    assert await stale(idle_days=9) == ["C"]  # D entered discovery exactly 9 days ago: not longer than 9
    assert await stale(idle_days=8) == ["C", "D"]
    assert ids["C"] in [d["id"] for d in (await pipeline.client.get(
        "/v1/analytics/stale", headers=auth_headers("rep", rep_id="ben"))).json()["items"]]
    assert (await pipeline.client.get("/v1/analytics/stale", headers=auth_headers("rep", rep_id="ana"))
            ).json()["items"] == []


async def test_analytics_input_and_access_errors(pipeline: RunningService) -> None:
    c = pipeline.client
    bad = await c.get("/v1/analytics/funnel", headers=OPS, params={"period": "2026-13"})
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "period")
    two = await c.get("/v1/analytics/funnel", headers=OPS, params={**MARCH, "rep_id": "a", "team_id": "t"})
    assert two.status_code == 422
    other = await c.get("/v1/analytics/funnel", headers=auth_headers("rep", rep_id="ana"),
                        params={**MARCH, "rep_id": "ben"})
    assert other.status_code == 403
    assert (await c.get("/v1/analytics/funnel", headers=OPS,
                        params={**MARCH, "pipeline_id": "nope"})).status_code == 404
