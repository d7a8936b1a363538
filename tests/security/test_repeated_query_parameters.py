"""A query parameter taken once but sent twice is refused with a 422 naming it (found by Schemathesis:
`GET /v1/commissions/pending?rep_id=a&rep_id=b` answered 200 for rep b alone). List parameters still repeat."""
from __future__ import annotations

import pytest

from shared.testing import auth_headers
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import running_service

pytestmark = pytest.mark.embedded
OPS = auth_headers("ops")


async def test_a_scalar_parameter_given_twice_is_refused_by_name(embedded_backend: EmbeddedBackend) -> None:
    async with running_service("compensation", database_url=await embedded_backend.database_url("compensation"),
                               platform=embedded_backend.platform,
                               embedded_bus=embedded_backend.embedded_bus) as compensation:
        once = await compensation.client.get("/v1/commissions/pending", params={"rep_id": "ana"}, headers=OPS)
        twice = await compensation.client.get("/v1/commissions/pending?rep_id=ana&rep_id=bo", headers=OPS)
    assert once.status_code == 200, once.text
    assert twice.status_code == 422
    assert twice.headers["content-type"] == "application/problem+json"
    assert twice.json()["errors"] == [{"field": "rep_id", "message": "give this parameter once"}]


async def test_a_list_parameter_may_repeat(embedded_backend: EmbeddedBackend) -> None:
    async with running_service("leads", database_url=await embedded_backend.database_url("leads"),
                               platform=embedded_backend.platform,
                               embedded_bus=embedded_backend.embedded_bus) as leads:
        csv = b"E-mail,Company\nana@acme.test,Acme\n"
        answer = await leads.client.post("/v1/leads/import?map=email:E-mail&map=company:Company",
                                         content=csv, headers={**OPS, "Content-Type": "text/csv"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["rows"] == 1  # both mappings taken: the one row read


async def test_an_unknown_parameter_is_refused_by_name(embedded_backend: EmbeddedBackend) -> None:
    """A misspelt filter (`rep` for `rep_id`) would otherwise answer everyone's lines as if unfiltered."""
    async with running_service("compensation", database_url=await embedded_backend.database_url("compensation"),
                               platform=embedded_backend.platform,
                               embedded_bus=embedded_backend.embedded_bus) as compensation:
        answer = await compensation.client.get("/v1/commissions", params={"rep": "ana"}, headers=OPS)
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": "rep", "message": "this operation takes no such parameter"}]
