"""A signature header of any bytes is a 401 problem, never a 500 (hmac.compare_digest refuses non-ASCII str)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.http.problems import Problem
from shared.http.webhooks import verify_signature

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
T = int(NOW.timestamp())


@pytest.mark.parametrize("header", [
    f"t={T},v1=\u00ff\u00fe",  # latin-1 bytes as Starlette decodes them
    f"t={T},v1=caf\u00e9",
    f"t={T},v1=\ud800",
    f"t=1{'0' * 5000},v1=ab",
    f"t={T},v1=",
    "t=,v1=ab",
    ",,,=,=",
])
def test_a_hostile_signature_header_is_a_401(header: str) -> None:
    with pytest.raises(Problem) as refused:
        verify_signature("s3cret", header, b"{}", now=NOW)
    assert refused.value.status == 401
