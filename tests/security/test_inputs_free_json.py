"""Free-form JSON inside bodies (plan components, scoring rule values, territory rule values) is checked like a
typed field: a lone surrogate is a 422 naming where it is, not a 500 when it is stored or answered."""
from __future__ import annotations

import pytest

from shared.testing import auth_headers
from shared.testing.harness import RunningService
from tests.compensation.conftest import compensation  # noqa: F401  (fixture)
from tests.leads.conftest import clock, leads  # noqa: F401  (fixtures)
from tests.territory.conftest import territory  # noqa: F401  (fixture)

pytestmark = pytest.mark.embedded
OPS = {**auth_headers("ops"), "content-type": "application/json"}
ADMIN = {**auth_headers("admin"), "content-type": "application/json"}
SURROGATE = b'"\\ud800"'  # a valid JSON escape, no valid Unicode


def fields_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [e["field"] for e in response.json()["errors"]]


async def test_a_plan_component_with_a_lone_surrogate(compensation: RunningService) -> None:  # noqa: F811
    body = (b'{"id": "p1", "name": "R", "effective_from": "2026-01-01", "currency": "USD", "period_kind": "quarter",'
            b' "components": [{"kind": "rate", "name": ' + SURROGATE + b', "rate": "0.1"}]}')
    response = await compensation.client.post("/v1/plans", headers=OPS, content=body)
    assert response.status_code == 422 and fields_of(response) == ["components.0.name"], response.text


async def test_a_scoring_rule_value_with_a_lone_surrogate(leads: RunningService) -> None:  # noqa: F811
    body = b'{"rules": [{"id": "r1", "field": "industry", "op": "eq", "value": ' + SURROGATE + b', "points": 5}]}'
    response = await leads.client.put("/v1/scoring/rules", headers=ADMIN, content=body)
    assert response.status_code == 422 and fields_of(response) == ["rules.0.value"], response.text


async def test_a_territory_rule_value_with_a_lone_surrogate(territory: RunningService) -> None:  # noqa: F811
    body = (b'{"id": "t1", "name": "T", "rules": [{"conditions": [{"field": "country", "op": "eq", "value": '
            + SURROGATE + b'}]}]}')
    response = await territory.client.post("/v1/territories", headers=OPS, content=body)
    assert response.status_code == 422 and fields_of(response) == ["rules.0.conditions.0.value"], response.text
