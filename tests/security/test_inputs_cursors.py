"""Crafted cursors are a 400 naming `cursor` on every list, never a value handed to SQL (a 500)."""
from __future__ import annotations

import base64
import json

import pytest

from shared.http.pagination import AfterNumber, AfterTime, after_id, decode_cursor, encode_cursor
from shared.http.problems import Problem
from shared.testing.harness import RunningService
from tests.compensation.conftest import OPS as COMP_OPS
from tests.compensation.conftest import compensation  # noqa: F401  (fixture)
from tests.leads.conftest import OPS as LEADS_OPS
from tests.leads.conftest import clock, leads  # noqa: F401  (fixtures)
from tests.pipeline.conftest import OPS, pipeline  # noqa: F401  (fixture)

pytestmark = pytest.mark.embedded


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


CRAFTED = [
    _b64(json.dumps({"after": {"x": 1}})),  # an object where an id belongs
    _b64("[1]"),
    _b64("1" + "0" * 30),  # 10^30
    _b64(json.dumps({"after": 10**30})),  # beyond any bigint
    _b64(json.dumps({"after": "d-1", "more": 1})),
    _b64("[" * 300 + "]" * 300),  # deeper than the JSON parser recurses
    _b64('{"after": "\\ud800"}'),  # a lone surrogate
    "%%%not-base64%%%",
    "ünïcode",
]


@pytest.mark.parametrize("path", ["/v1/deals", "/v1/pipelines", "/v1/analytics/stale"])
async def test_pipeline_lists_refuse_crafted_cursors(pipeline: RunningService, path: str) -> None:  # noqa: F811
    for cursor in CRAFTED:
        response = await pipeline.client.get(path, params={"cursor": cursor}, headers=OPS)
        assert response.status_code == 400, (cursor, response.text)
        assert response.json()["errors"][0]["field"] == "cursor"


async def test_commission_lines_refuse_crafted_cursors(compensation: RunningService) -> None:  # noqa: F811
    for cursor in [*CRAFTED, _b64(json.dumps({"after": 2**63})), _b64(json.dumps({"after": "7"}))]:
        response = await compensation.client.get("/v1/commissions", params={"cursor": cursor}, headers=COMP_OPS)
        assert response.status_code == 400, (cursor, response.text)
        assert response.json()["errors"][0]["field"] == "cursor"


async def test_leads_list_refuses_crafted_cursors(leads: RunningService) -> None:  # noqa: F811
    for cursor in [*CRAFTED, _b64(json.dumps({"at": "2026-11-02T09:00:00", "id": "l-1"}))]:  # a naive time
        response = await leads.client.get("/v1/leads", params={"cursor": cursor}, headers=LEADS_OPS)
        assert response.status_code == 400, (cursor, response.text)


async def test_a_cursor_longer_than_any_issued_is_refused(pipeline: RunningService) -> None:  # noqa: F811
    response = await pipeline.client.get("/v1/deals", params={"cursor": "A" * 5000}, headers=OPS)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "query.cursor"


@pytest.mark.unit
def test_issued_cursors_read_back() -> None:
    assert after_id(encode_cursor({"after": "deal-7"})) == "deal-7"
    assert after_id(None) is None
    # a cursor written before positions were typed (json.dumps(default=str)) still reads
    old = _b64(json.dumps({"at": "2026-11-02 09:00:00+00:00", "id": "l-1"}))
    position = decode_cursor(old, AfterTime)
    assert position is not None and (position.at.hour, position.id) == (9, "l-1")
    with pytest.raises(Problem):
        decode_cursor(encode_cursor({"after": -1}), AfterNumber)
