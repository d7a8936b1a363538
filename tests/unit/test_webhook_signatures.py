"""CRM webhook signatures: fresh and correct passes; wrong, tampered, stale or malformed is a 401."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.http.problems import Problem
from shared.http.webhooks import sign, verify_signature

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
T = int(NOW.timestamp())
BODY = b'{"event_id":"evt-1","email":"jo@acme.de"}'


def test_known_vector() -> None:
    # HMAC-SHA256("secret", "1700000000.{}") computed independently:
    # echo -n "1700000000.{}" | openssl dgst -sha256 -hmac secret
    assert sign("secret", b"{}", 1700000000) == (
        "t=1700000000,v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
    )


def test_a_fresh_correct_signature_passes() -> None:
    verify_signature("s3cret", sign("s3cret", BODY, T - 299), BODY, now=NOW)


@pytest.mark.parametrize(("header", "body", "why"), [
    (None, BODY, "missing"),
    ("v1=abc", BODY, "must look like"),
    (sign("other", BODY, T), BODY, "does not match"),
    (sign("s3cret", BODY, T), BODY + b" ", "does not match"),
    (sign("s3cret", BODY, T - 301), BODY, "older than 5 minutes"),
    (sign("s3cret", BODY, T + 301), BODY, "older than 5 minutes"),
])
def test_bad_signatures_are_401(header: str | None, body: bytes, why: str) -> None:
    with pytest.raises(Problem) as caught:
        verify_signature("s3cret", header, body, now=NOW)
    assert caught.value.status == 401 and why in caught.value.detail
