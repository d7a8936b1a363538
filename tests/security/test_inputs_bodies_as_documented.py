"""Every JSON body is taken exactly as its OpenAPI describes it (Schemathesis' ST201 with every check on): a
boolean or integer sent as another type is a 422 naming the field, and so is a field the operation does not take
(every JSON API body says `additionalProperties: false`, as unknown query parameters are refused too).
CRM webhooks keep their own tolerant normalising; they are not JSON API bodies."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.clock import FixedClock
from shared.testing import auth_headers
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService, running_service
from tests.compensation.conftest import compensation  # noqa: F401  (fixture)
from tests.leads.conftest import leads  # noqa: F401  (fixture)
from tests.pipeline.conftest import clock, pipeline  # noqa: F401  (fixtures)
from tests.territory.conftest import territory  # noqa: F401  (fixture)

pytestmark = pytest.mark.embedded
OPS = auth_headers("admin", "ops")
STAGE = {"name": "Qualify", "probability": 10, "forecast_category": "pipeline"}
TERRITORY = {"id": "t-1", "name": "EMEA", "priority": 0, "rules": [], "rep_ids": []}


@pytest.fixture
async def forecast(embedded_backend: EmbeddedBackend) -> AsyncIterator[RunningService]:
    async with running_service("forecast", database_url=await embedded_backend.database_url("forecast"),
                               platform=embedded_backend.platform, embedded_bus=embedded_backend.embedded_bus,
                               clock=FixedClock(datetime(2026, 11, 20, tzinfo=UTC))) as service:
        yield service


async def refused(service: RunningService, method: str, path: str, body: dict[str, Any]) -> list[str]:
    """The fields a 422 names (asserting it is one)."""
    response = await service.client.request(method, path, headers=OPS, json=body)
    assert response.status_code == 422, (path, body, response.status_code, response.text)
    return [e["field"] for e in response.json()["errors"]]


async def test_territory_flags_must_be_booleans(territory: RunningService) -> None:  # noqa: F811
    # 0 and "true" are what Schemathesis sent and the API stored as False / True (201)
    for flag in (0, "true"):
        assert await refused(territory, "POST", "/v1/territories", {**TERRITORY, "is_default": flag}) \
            == ["is_default"]
        assert await refused(territory, "PUT", "/v1/territories/t-1", {"name": "EMEA", "is_default": flag}) \
            == ["is_default"]
        assert await refused(territory, "POST", "/v1/plans", {"name": "P", "upsert": [
            {**TERRITORY, "is_default": flag}]}) == ["upsert.0.is_default"]
        assert await refused(territory, "POST", "/v1/simulations", {"rollup": flag}) == ["rollup"]


async def test_lead_counts_and_rule_points_must_be_integers(leads: RunningService) -> None:  # noqa: F811
    for count in ("5", True, 5.0):
        assert await refused(leads, "POST", "/v1/leads", {"email": "a@example.com", "employee_count": count}) \
            == ["employee_count"]
        assert await refused(leads, "PATCH", "/v1/leads/l-1", {"activity_count": count}) == ["activity_count"]
        rule = {"id": "r-1", "field": "country", "op": "eq", "value": "DE", "points": count}
        assert await refused(leads, "PUT", "/v1/scoring/rules", {"rules": [rule]}) == ["rules.0.points"]


async def test_a_version_must_be_an_integer(pipeline: RunningService) -> None:  # noqa: F811
    for version in ("1", True):
        assert await refused(pipeline, "POST", "/v1/deals/d-1/reopen", {"version": version}) == ["version"]
        body = {"name": "P", "stages": [STAGE], "version": version}
        assert await refused(pipeline, "PUT", "/v1/pipelines/p-1", body) == ["version"]


async def test_unknown_body_fields_are_refused_by_name(leads: RunningService, forecast: RunningService,  # noqa: F811
                                                       compensation: RunningService) -> None:  # noqa: F811
    # Each body is otherwise valid: only the misspelt field is wrong, and the answer names it.
    cases = [
        (leads, "POST", "/v1/leads/l-1/assign", {"rep_id": "ana", "rep": "bob"}, "rep"),
        (leads, "POST", "/v1/leads/l-1/convert", {"amount": "10.00", "currency": "EUR", "curency": "USD"},
         "curency"),
        (leads, "PUT", "/v1/sla-policy", {"bands": "hot:80:60", "breach_action": "reroute", "x": 1}, "x"),
        (leads, "PUT", "/v1/scoring/rules", {"rules": [], "rescore": True}, "rescore"),
        (forecast, "POST", "/v1/snapshots", {"period": "2026-Q4", "as": "x"}, "as"),
        (compensation, "PUT", "/v1/draws/ana", {"kind": "recoverable", "amount": "100.00", "currency": "EUR",
                                                      "recover": True}, "recover"),
        (compensation, "POST", "/v1/commissions/1/inquiries", {"comment": "why?", "urgent": True}, "urgent"),
    ]
    for service, method, path, body, unknown in cases:
        assert unknown in await refused(service, method, path, body), (path, unknown)
