"""Pipeline and territory bodies: If-Match and versions that are not versions, values of the wrong type
(strict where a wrong type is a client's bug), hostile JSON in signed CRM webhooks, one set of limits."""
from __future__ import annotations

import json

import pytest

from shared.clock import FixedClock
from shared.http.webhooks import sign
from shared.settings import DEV_SECRET
from shared.testing.harness import RunningService
from tests.pipeline.conftest import OPS, clock, deal_body, pipeline  # noqa: F401  (fixtures)
from tests.territory.conftest import OPS as TERRITORY_OPS
from tests.territory.conftest import territory  # noqa: F401  (fixture)

pytestmark = pytest.mark.embedded
BYTES_OPS = {k.encode(): v.encode() for k, v in OPS.items()}
CRM = {"event_id": "evt-1", "external_id": "sf-006", "name": "Globex expansion", "amount": "5000.00",
       "currency": "EUR", "owner_id": "ana"}


def fields_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [e["field"] for e in response.json()["errors"]]


async def test_if_match_that_is_no_version_is_a_400(pipeline: RunningService) -> None:  # noqa: F811
    deal = (await pipeline.client.post("/v1/deals", headers=OPS, json=deal_body())).json()
    # "²" as a client's latin-1 header byte (str.isdigit() says yes, int() says no), digits of other scripts
    for if_match in ('"²"'.encode("latin-1"), '"٣"'.encode(), b'"' + b"9" * 5000 + b'"', b'"0"', b'"99999999999"',
                     b'W/"-1"'):
        response = await pipeline.client.patch(f"/v1/deals/{deal['id']}", headers={**BYTES_OPS, b"If-Match": if_match},
                                               json={"name": "renamed"})
        assert response.status_code == 400 and fields_of(response) == ["If-Match"], (if_match[:20], response.text)
    stale = await pipeline.client.patch(f"/v1/deals/{deal['id']}", headers={**OPS, "If-Match": '"7"'},
                                        json={"name": "renamed"})
    assert stale.status_code == 412  # a version, but not the current one: a failed precondition


async def test_a_body_version_beyond_the_column_is_a_422(pipeline: RunningService) -> None:  # noqa: F811
    deal = (await pipeline.client.post("/v1/deals", headers=OPS, json=deal_body())).json()
    for version in (2**31, 2**64 + 1, 10**4000):
        response = await pipeline.client.patch(f"/v1/deals/{deal['id']}", headers=OPS,
                                               content=f'{{"name": "x", "version": {version}}}',)
        assert response.status_code in (400, 422), (str(version)[:20], response.text[:200])


async def test_a_stage_probability_must_be_a_number(pipeline: RunningService) -> None:  # noqa: F811
    for probability in (False, "50", 50.0):
        stages = [{"name": "Qualify", "probability": probability, "forecast_category": "pipeline"}]
        response = await pipeline.client.post("/v1/pipelines", headers=OPS, json={"name": "P", "stages": stages})
        assert response.status_code == 422 and fields_of(response) == ["stages.0.probability"], response.text


async def test_a_rep_capacity_must_be_a_number(territory: RunningService) -> None:  # noqa: F811
    for field, value in (("capacity", False), ("capacity", "5"), ("active", "yes"), ("active", 1)):
        body = {"id": "r-1", "name": "Ana", "email": "ana@example.com", "capacity": 5, field: value}
        response = await territory.client.post("/v1/reps", headers=TERRITORY_OPS, json=body)
        assert response.status_code == 422 and fields_of(response) == [field], (field, value, response.text)


async def test_hostile_json_in_a_signed_crm_webhook(pipeline: RunningService, clock: FixedClock) -> None:  # noqa: F811
    stamp = int(clock.now().timestamp())
    bodies = [b"[" * 10_000 + b"]" * 10_000,
              json.dumps({**CRM, "name": "X"}).replace('"X"', '"\\ud800"').encode(),  # a lone surrogate
              json.dumps({**CRM, "company": "C" * 1_000_000}).encode()]  # the JSON API stops at 300
    for body, answer in zip(bodies, [(400, "body"), (400, "body"), (422, "company")], strict=True):
        headers = {"Coxswain-Signature": sign(DEV_SECRET, body, stamp), "content-type": "application/json"}
        response = await pipeline.client.post("/v1/webhooks/crm", headers=headers, content=body)
        assert (response.status_code, fields_of(response)[0]) == answer, (body[:30], response.text[:300])
    assert (await pipeline.client.get("/v1/deals", headers=OPS)).json()["items"] == []
