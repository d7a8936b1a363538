"""A parent team's adjusted forecast rolls up its sub-teams' and reps' adjustments (before, a team row showed an
adjusted forecast only when that very team was adjusted)."""
from __future__ import annotations

from shared.testing.harness import RunningService
from tests.forecast.test_rollups_and_access import OPS, forecast, table

__all__ = ["forecast"]  # the fixture: west (rep-1, rep-2) under americas (rep-3), weighted Q4 forecasts


async def adjust(service: RunningService, group_by: str, group: str, amount: str) -> None:
    r = await service.client.post("/v1/adjustments", headers=OPS, json={
        "period": "2026-Q4", "group_by": group_by, "group": group, "amount": amount, "currency": "USD",
        "note": "call with the team"})
    assert r.status_code == 201, r.text


def adjusted(rows: dict[str, dict]) -> dict[str, tuple[str, str | None]]:
    return {g: (r["forecast"], r["adjusted_forecast"]) for g, r in rows.items()}


async def test_parent_teams_roll_up_the_adjustments_below_them(forecast: RunningService) -> None:
    # weighted: rep-1 10,000 × 50% = 5,000; rep-2 4,000 × 25% = 1,000 → west 6,000; rep-3 2,000 → americas 8,000
    assert adjusted(await table(forecast, "team")) == {"west": ("6000.00", None), "americas": ("8000.00", None)}
    await adjust(forecast, "rep", "rep-1", "5800.00")  # +800
    assert adjusted(await table(forecast, "team")) == {"west": ("6000.00", "6800.00"),
                                                       "americas": ("8000.00", "8800.00")}
    await adjust(forecast, "team", "west", "7000.00")  # west's own number replaces what is below it: +1,000
    rows = await table(forecast, "team")
    assert adjusted(rows) == {"west": ("6000.00", "7000.00"), "americas": ("8000.00", "9000.00")}
    assert rows["west"]["adjustment"]["amount"] == "7000.00" and rows["americas"]["adjustment"] is None
    await adjust(forecast, "team", "americas", "9500.00")
    assert adjusted(await table(forecast, "team"))["americas"] == ("8000.00", "9500.00")
