"""GET /v1/balance is a page `{items, next_cursor}` of findings by territory id (it was a bare array)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.events import catalog as ev
from shared.testing import build_event, eventually
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService
from tests.territory.conftest import OPS, published

pytestmark = pytest.mark.embedded
AT = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


async def test_balance_findings_come_in_pages(embedded_backend: EmbeddedBackend, territory: RunningService) -> None:
    c = territory.client
    countries = {"t-c": "FR", "t-a": "DE", "t-b": "IT"}
    for territory_id, country in countries.items():
        body = {"id": territory_id, "name": territory_id,
                "rules": [{"conditions": [{"field": "country", "op": "eq", "value": country}]}]}
        assert (await c.post("/v1/territories", headers=OPS, json=body)).status_code == 201
    for n, country in enumerate(countries.values()):
        event = build_event("coxswain.lead.created.v1", ev.LeadCreated(lead_id=f"L{n}", country=country,
                                                                       created_at=AT), subject=f"L{n}", sequence=1)
        await embedded_backend.produce_raw(embedded_backend.topic("coxswain.leads"), f"L{n}",
                                           event.model_dump_json().encode())
    await eventually(lambda: published(embedded_backend, "coxswain.lead.routed.v1"), until=lambda es: len(es) == 3)
    # each territory: one open lead and no active rep → under-served; two per page, by territory id
    first = (await c.get("/v1/balance", headers=OPS, params={"limit": 2})).json()
    assert [(f["territory_id"], f["verdict"]) for f in first["items"]] == [("t-a", "under_served"),
                                                                            ("t-b", "under_served")]
    second = (await c.get("/v1/balance", headers=OPS, params={"limit": 2, "cursor": first["next_cursor"]})).json()
    assert ([f["territory_id"] for f in second["items"]], second["next_cursor"]) == (["t-c"], None)
