"""The leads API and its CRM webhooks: one set of field limits for every entry point, a 4xx naming the field for
numbers beyond any column, amounts with a third decimal, hostile JSON and times that are not times."""
from __future__ import annotations

import json

import pytest

from shared.clock import FixedClock
from shared.http.webhooks import sign
from shared.settings import DEV_SECRET
from shared.testing.harness import RunningService
from tests.leads.conftest import OPS, clock, create, leads  # noqa: F401  (fixtures)

pytestmark = pytest.mark.embedded
BEYOND_64_BITS = 2**64 + 1


def signed(body: bytes, clock: FixedClock) -> dict[str, str]:  # noqa: F811
    return {"Coxswain-Signature": sign(DEV_SECRET, body, int(clock.now().timestamp())),
            "content-type": "application/json"}


def hubspot(**properties: object) -> bytes:
    return json.dumps({"eventId": 1, "properties": {"email": "hub@spot.example", **properties}}).encode()


def fields_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [e["field"] for e in response.json()["errors"]]


async def test_counts_beyond_any_column_are_refused_by_the_api(leads: RunningService) -> None:  # noqa: F811
    for value in (BEYOND_64_BITS, 2**31):
        response = await leads.client.post("/v1/leads", headers=OPS, json={"email": "a@b.example",
                                                                            "employee_count": value})
        assert response.status_code == 422 and fields_of(response) == ["employee_count"], response.text
    lead = await create(leads.client, email="c@d.example")
    patched = await leads.client.patch(f"/v1/leads/{lead['id']}", headers=OPS,
                                       json={"activity_count": BEYOND_64_BITS})
    assert patched.status_code == 422 and fields_of(patched) == ["activity_count"]


async def test_webhooks_keep_the_api_limits(leads: RunningService, clock: FixedClock) -> None:  # noqa: F811
    cases = {
        "employee_count": hubspot(numemployees=BEYOND_64_BITS),
        "company": hubspot(company="C" * 1_000_000),  # the JSON API stops at 300 characters
        "title": hubspot(jobtitle="T" * 201),
        "eventId": json.dumps({"eventId": "e" * 5000, "properties": {"email": "x@y.example"}}).encode(),
    }
    for field, body in cases.items():
        response = await leads.client.post("/v1/webhooks/crm", headers=signed(body, clock), content=body)
        assert response.status_code == 422 and fields_of(response) == [field], (field, response.text[:300])
    listed = await leads.client.get("/v1/leads", headers=OPS)
    assert listed.json()["items"] == []


async def test_hostile_json_in_a_signed_webhook_is_a_400(leads: RunningService, clock: FixedClock) -> None:  # noqa: F811
    for body in (b"[" * 10_000 + b"]" * 10_000,  # deeper than any parser recurses
                 b'{"eventId": 1, "properties": {"email": "x@y.example", "company": "\\ud800"}}',  # lone surrogate
                 b'{"eventId": 1, "properties": {"numemployees": ' + b"9" * 5000 + b"}}",
                 b"\xff\xfe not utf-8"):
        response = await leads.client.post("/v1/webhooks/crm", headers=signed(body, clock), content=body)
        assert response.status_code == 400 and fields_of(response) == ["body"], (body[:40], response.text)


async def test_a_conversion_amount_has_cents_at_most(leads: RunningService) -> None:  # noqa: F811
    lead = await create(leads.client, email="e@f.example")
    for amount in ("1000.005", "1e400", "NaN", "1" + "0" * 19):
        response = await leads.client.post(f"/v1/leads/{lead['id']}/convert", headers=OPS,
                                           json={"amount": amount, "currency": "EUR"})
        assert response.status_code == 422 and fields_of(response) == ["amount"], (amount, response.text)


async def test_a_time_filter_is_a_time_not_a_number(leads: RunningService) -> None:  # noqa: F811
    for value in ("0.5", "1700000000", "true"):
        response = await leads.client.get("/v1/leads", headers=OPS, params={"created_to": value})
        assert response.status_code == 422 and fields_of(response) == ["query.created_to"], (value, response.text)
    fine = await leads.client.get("/v1/leads", headers=OPS, params={"created_to": "2026-11-02T09:00:00Z"})
    assert fine.status_code == 200
