"""The ledger from deal events on the embedded bus: the worked example end to end, clawbacks, adjustments,
redelivery under the same and a new event id, pending commission and its release, period locks."""
from __future__ import annotations

from decimal import Decimal as D

from shared.events import catalog as ev
from shared.testing import eventually
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService
from tests.compensation.conftest import (
    WORKED_PLAN,
    closed,
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
    await send(embedded_backend, CLOSED_T, closed("d-40", "40000.00"), "d-40", 1)
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
    reversed_ = await eventually(lambda: published(embedded_backend, "coxswain.commission.reversed.v1"))
    assert [(e["data"]["deal_id"], e["data"]["amount"], e["data"]["reason"]) for e in reversed_] == [
        ("d-40", "-5000.00", "deal reopened")]
