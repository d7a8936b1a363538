"""Statement CSVs: user-controlled text never runs as a spreadsheet formula (OWASP CSV injection) while money
stays numeric, and any rep id makes a well-formed Content-Disposition (RFC 6266 / RFC 5987 filename*)."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote

import pytest

from services.compensation.api.statements import spreadsheet_safe
from shared.events import catalog as ev
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import RunningService
from tests.compensation.conftest import OPS, WORKED_PLAN, closed, compensation, lines_until, send, setup_plan  # noqa: F401

pytestmark = pytest.mark.embedded
DEAL = '=HYPERLINK("http://evil.example","x")'


async def test_formulas_are_neutralised_and_amounts_stay_numbers(compensation: RunningService,  # noqa: F811
                                                                   embedded_backend: EmbeddedBackend) -> None:
    component: dict[str, Any] = {**WORKED_PLAN["components"][0], "name": "@SUM(A1:A9)"}  # type: ignore[dict-item]
    plan = {**WORKED_PLAN, "components": [component]}
    await setup_plan(compensation.client, plan, {"rep-1": "100000.00"})
    await send(embedded_backend, "coxswain.deal.closed.v1", closed(DEAL, "1000.00"), DEAL, 1)
    await lines_until(compensation.client, 1)
    reopened = ev.DealReopened(deal_id=DEAL, stage_id="s1", reopened_at=datetime(2026, 11, 15, tzinfo=UTC))
    await send(embedded_backend, "coxswain.deal.reopened.v1", reopened, DEAL, 2)
    await lines_until(compensation.client, 2)
    r = await compensation.client.get("/v1/statements/rep-1/2026-Q4", headers=OPS, params={"format": "csv"})
    assert r.status_code == 200, r.text
    rows = list(csv.reader(io.StringIO(r.text)))
    header = rows[0]
    earned, reversed_ = (dict(zip(header, row, strict=False)) for row in rows[1:3])
    # 1,000 at 10% = 100.00 earned, then the reopen reverses it: -100.00, still a number for the spreadsheet
    assert (earned["amount"], reversed_["amount"]) == ("100.00", "-100.00")
    assert earned["deal_id"] == "'" + DEAL and earned["component"] == "'@SUM(A1:A9)"
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
            assert not cell.startswith("-") or cell.replace(".", "").lstrip("-").isdigit(), cell


@pytest.mark.unit
def test_spreadsheet_safe_cells() -> None:
    assert [spreadsheet_safe(v) for v in ("-1000.00", "-7", "-1e3", "-A1", "+1", "@x", "\tx", "\rx", "ok", None)] == [
        "-1000.00", "-7", "'-1e3", "'-A1", "'+1", "'@x", "'\tx", "'\rx", "ok", ""]


@pytest.mark.parametrize("rep_id", ["rép-ř-山田", "evil\r\nSet-Cookie: a=b", 'quo"te;x'])
async def test_any_rep_id_makes_a_safe_attachment_header(compensation: RunningService, rep_id: str) -> None:  # noqa: F811
    path = f"/v1/statements/{quote(rep_id, safe='')}/2026-Q4"
    r = await compensation.client.get(path, headers=OPS, params={"format": "csv"})
    if r.status_code != 200:  # an id rule at the edge may refuse it first: then cleanly, not with a 500
        assert 400 <= r.status_code < 500, r.text
        return
    disposition = r.headers["content-disposition"]
    assert disposition.isascii() and "\r" not in disposition and "\n" not in disposition
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == f"{rep_id}-2026-Q4.csv"
