"""Crafted cursors are a 400 naming `cursor` before they reach a query: every cursor the API issues is a flat
object of scalars, and a route with a typed position checks the types too."""
from __future__ import annotations

import base64
import json
from datetime import datetime

import pytest
from pydantic import BaseModel, ConfigDict

from shared.http.pagination import decode_cursor, encode_cursor
from shared.http.problems import Problem

pytestmark = pytest.mark.unit


def crafted(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


class LeadPosition(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    at: datetime
    id: str


@pytest.mark.parametrize("cursor", [
    crafted({"after": {"x": 1}}),
    crafted({"after": [1]}),
    crafted([1]),
    crafted(10**30),
    crafted({"after": 10**30}),
    crafted({"after": "x" * 201}),
    crafted({"after": "a\x00b"}),
    base64.urlsafe_b64encode(b'{"after": 1e400}').decode(),
    base64.urlsafe_b64encode(b"[" * 100_000).decode()[:1999],
    "A" * 2001,
    "%%%",
])
def test_a_crafted_cursor_is_a_400_naming_cursor(cursor: str) -> None:
    with pytest.raises(Problem) as refused:
        decode_cursor(cursor)
    assert refused.value.status == 400 and refused.value.errors[0].field == "cursor"


def test_what_the_api_issues_round_trips() -> None:
    position = {"at": "2026-11-02T09:00:00+00:00", "id": "lead-1", "offset": 40, "ratio": 0.5, "done": False}
    assert decode_cursor(encode_cursor(position)) == position


def test_a_typed_position_checks_the_types() -> None:
    good = decode_cursor(encode_cursor({"at": "2026-11-02T09:00:00+00:00", "id": "lead-1"}), LeadPosition)
    assert good is not None and good.id == "lead-1" and good.at.year == 2026
    with pytest.raises(Problem):
        decode_cursor(encode_cursor({"at": "yesterday", "id": "lead-1"}), LeadPosition)
    with pytest.raises(Problem):
        decode_cursor(encode_cursor({"at": "2026-11-02T09:00:00+00:00", "id": 5}), LeadPosition)
