"""A new version of a type published beside the old one during a deprecation window: pipeline publishes
deal.closed.v2 beside v1 when asked to, and a consumer that knows only v1 (forecast) ignores v2 and still
applies v1 once."""
from __future__ import annotations

import json

from shared.clock import FixedClock
from shared.testing import auth_headers, eventually
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import running_service
from tests.pipeline.conftest import START, deal_body

OPS = auth_headers("ops")


def _handled(metrics: object, event_type: str, outcome: str) -> float:
    return metrics.events_handled.labels(type=event_type, outcome=outcome)._value.get()  # type: ignore[attr-defined]


async def test_a_v1_only_consumer_ignores_v2_and_still_gets_v1(embedded_backend: EmbeddedBackend) -> None:
    backend, clock = embedded_backend, FixedClock(START)
    async with (
        running_service("pipeline", database_url=await backend.database_url("pipeline"), platform=backend.platform,
                        embedded_bus=backend.embedded_bus, clock=clock, publish_deal_closed_v2=True) as pipeline,
        running_service("forecast", database_url=await backend.database_url("forecast"), platform=backend.platform,
                        embedded_bus=backend.embedded_bus, clock=clock) as forecast,
    ):
        deal = (await pipeline.client.post("/v1/deals", headers=OPS, json=deal_body())).json()
        closed = await pipeline.client.post(f"/v1/deals/{deal['id']}/close", headers=OPS, json={"outcome": "won"})
        assert closed.status_code == 200, closed.text

        async def mine() -> list[dict]:
            records = await backend.read_topic(backend.topic("coxswain.pipeline"))
            return [e for e in (json.loads(r.value) for r in records if r.value) if e["subject"] == deal["id"]]

        events = await eventually(mine, until=lambda found: len(found) >= 3)
        # the same fact twice, one shape each, with the deal's one version as sequence (created 1, closed 2)
        assert [(e["type"], int(e["sequence"])) for e in events] == [
            ("coxswain.deal.created.v1", 1), ("coxswain.deal.closed.v1", 2), ("coxswain.deal.closed.v2", 2)]
        v1, v2 = events[1]["data"], events[2]["data"]
        assert (v1["amount"], v1["currency"]) == ("1000.00", "USD")
        assert v2["value"] == {"amount": "1000.00", "currency": "USD"} and "amount" not in v2
        assert {k: v for k, v in v1.items() if k not in ("amount", "currency")} == \
            {k: v for k, v in v2.items() if k != "value"}

        metrics = forecast.runtime.metrics

        async def ignored() -> float:
            return _handled(metrics, "coxswain.deal.closed.v2", "ignored")

        await eventually(ignored, until=lambda n: n == 1)
        assert _handled(metrics, "coxswain.deal.closed.v1", "handled") == 1
        seen = (await forecast.client.get(f"/v1/deals/{deal['id']}/forecast", headers=OPS)).json()
        assert (seen["status"], seen["amount"], seen["currency"]) == ("won", "1000.00", "USD")
        dlq = backend.topic("coxswain.pipeline") + ".dlq." + backend.platform.group("forecast")
        assert await backend.read_topic(dlq) == []
