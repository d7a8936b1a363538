"""CRM webhook signatures: `Coxswain-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`."""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any

from pydantic_core import from_json

from shared.errors import FieldError
from shared.http.problems import Problem

SIGNATURE_HEADER = "Coxswain-Signature"
TOLERANCE_SECONDS = 300


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret: str, header: str | None, body: bytes, *, now: datetime) -> None:
    """Raise a 401 problem unless the header is a fresh, correct signature of exactly these bytes."""
    if not header:
        raise Problem(401, f"missing {SIGNATURE_HEADER} header")
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
        given = parts["v1"]
        if not given.isascii():  # compare_digest raises on a non-ASCII str, and a header can carry any byte
            raise ValueError(given)
    except (KeyError, ValueError):
        raise Problem(401, f"{SIGNATURE_HEADER} must look like t=<unix seconds>,v1=<hex>") from None
    if abs(now.timestamp() - timestamp) > TOLERANCE_SECONDS:
        raise Problem(401, "webhook signature timestamp is older than 5 minutes (or in the future)")
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, given):
        raise Problem(401, "webhook signature does not match the body")


def read_json(body: bytes) -> Any:
    """A delivery's JSON, parsed by pydantic's parser: nesting past its recursion limit, a lone surrogate
    (`"\\ud800"`, which no database column can store), a number past 4300 digits or bytes that are not UTF-8
    are a 400 naming the body instead of an error deep inside the handler."""
    try:
        return from_json(body)
    except ValueError as exc:
        raise Problem(400, f"the body is not JSON this API reads: {exc}", [FieldError("body", str(exc))]) from None
