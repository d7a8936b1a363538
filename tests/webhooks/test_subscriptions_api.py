"""The subscription API on the embedded bus: who may manage subscriptions, what a subscription accepts, the
secret shown once, paging, deletion. Deliveries themselves are in test_delivery.py."""
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from shared.testing import auth_headers
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService, running_service
from shared.webhooks_out.signing import new_secret, secret_key
from tests.webhooks.conftest import INTEGRATION, LEAD_CREATED, OPS

pytestmark = pytest.mark.embedded
PATH = "/v1/webhook-subscriptions"
URL = "https://partner.example.com/hooks"


@pytest.fixture
async def pipeline(embedded_backend: EmbeddedBackend) -> AsyncIterator[RunningService]:
    """Pipeline, to show the API is every service's, each subscribing to its own events."""
    async with running_service("pipeline", database_url=await embedded_backend.database_url("pipeline"),
                               platform=embedded_backend.platform,
                               embedded_bus=embedded_backend.embedded_bus) as service:
        yield service


async def test_only_operators_and_integrations_manage_subscriptions(pipeline: RunningService) -> None:
    body = {"url": URL, "event_types": ["coxswain.deal.closed.v1"]}
    assert (await pipeline.client.post(PATH, json=body)).status_code == 401
    for roles in (("rep",), ("manager",)):
        headers = auth_headers(*roles, rep_id="r1") if roles == ("rep",) else auth_headers(*roles)
        assert (await pipeline.client.post(PATH, headers=headers, json=body)).status_code == 403
        assert (await pipeline.client.get(PATH, headers=headers)).status_code == 403
    for headers in (OPS, INTEGRATION, auth_headers("admin")):
        assert (await pipeline.client.post(PATH, headers=headers, json=body)).status_code == 201


async def test_a_generated_secret_is_shown_once_and_a_given_one_never(pipeline: RunningService) -> None:
    created = await pipeline.client.post(PATH, headers=OPS, json={"url": URL, "event_types": [
        "coxswain.deal.closed.v1", "coxswain.deal.created.v1", "coxswain.deal.closed.v1"]})
    assert created.status_code == 201, created.text
    subscription = created.json()
    assert len(secret_key(subscription["secret"])) == 32  # whsec_ + base64 of 32 random bytes
    assert subscription["event_types"] == ["coxswain.deal.closed.v1", "coxswain.deal.created.v1"]  # deduplicated
    read = (await pipeline.client.get(f"{PATH}/{subscription['id']}", headers=OPS)).json()
    assert "secret" not in read and read["enabled"] is True

    given = await pipeline.client.post(PATH, headers=OPS, json={
        "url": URL, "event_types": ["coxswain.deal.closed.v1"], "secret": new_secret()})
    assert given.status_code == 201 and given.json()["secret"] is None


@pytest.mark.parametrize(("field", "value"), [
    ("event_types", [LEAD_CREATED]),  # leads' event: pipeline never writes it, so it would never be delivered
    ("event_types", []),
    ("url", "ftp://partner.example.com/hooks"),
    ("url", "http://\x1fpartner.example.com"),  # a control character: was a 500 from httpx before
    ("url", "https:///no-host"),
    ("secret", "whsec_" + "A" * 20),  # 15 bytes: the specification asks for 24 to 64
    ("secret", "not-a-whsec-secret-at-all-xxxxxxxxxxxxxxxxxxxxxx"),
])
async def test_a_subscription_that_could_never_work_is_refused(pipeline: RunningService, field: str,
                                                                 value: object) -> None:
    body = {"url": URL, "event_types": ["coxswain.deal.closed.v1"], field: value}
    response = await pipeline.client.post(PATH, headers=OPS, json=body)
    assert response.status_code == 422, response.text
    assert field in response.text


async def test_subscriptions_are_paged_changed_and_deleted(pipeline: RunningService) -> None:
    ids = []
    for n in range(3):
        response = await pipeline.client.post(PATH, headers=OPS, json={
            "url": f"{URL}/{n}", "event_types": ["coxswain.deal.closed.v1"]})
        ids.append(response.json()["id"])
    first = (await pipeline.client.get(PATH, headers=OPS, params={"limit": 2})).json()
    rest = (await pipeline.client.get(PATH, headers=OPS, params={"limit": 2, "cursor": first["next_cursor"]})).json()
    assert [s["id"] for s in first["items"] + rest["items"]] == sorted(ids) and rest["next_cursor"] is None

    target = f"{PATH}/{ids[0]}"
    paused = await pipeline.client.patch(target, headers=OPS, json={"enabled": False, "description": "paused"})
    assert paused.status_code == 200
    assert paused.json()["enabled"] is False and paused.json()["disabled_reason"] == "disabled by test-ops"
    assert (await pipeline.client.patch(target, headers=OPS, json={"enabled": "no"})).status_code == 422
    assert (await pipeline.client.delete(target, headers=OPS)).status_code == 204
    assert (await pipeline.client.get(target, headers=OPS)).status_code == 404
    assert (await pipeline.client.get(f"{target}/deliveries", headers=OPS)).status_code == 404
