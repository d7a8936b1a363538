"""Cursor pagination: `?limit=&cursor=` returning `{items, next_cursor}`; cursors are opaque."""
from __future__ import annotations

import base64
import json
import math
from typing import Annotated, Any, Generic, TypeVar, overload

from fastapi import Query
from pydantic import BaseModel, ValidationError

from shared.errors import FieldError
from shared.http.ids import SERIAL_MAX
from shared.http.problems import Problem

T = TypeVar("T")
PositionT = TypeVar("PositionT", bound=BaseModel)
MAX_CURSOR_LENGTH = 2000

Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(position: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(position, default=str).encode()).decode().rstrip("=")


@overload
def decode_cursor(cursor: str | None) -> dict[str, Any] | None: ...
@overload
def decode_cursor(cursor: str | None, shape: type[PositionT]) -> PositionT | None: ...
def decode_cursor(cursor: str | None, shape: type[PositionT] | None = None) -> dict[str, Any] | PositionT | None:
    """The position a cursor carries, or a 400 naming `cursor` for one this API did not issue.

    Every cursor we issue is a flat object of scalars (ids, numbers, timestamps), so anything else — nested
    objects, lists, integers beyond BIGINT, long strings — is refused here, before it reaches a query. A route
    whose position has types (an integer id, a timestamp) passes `shape`, a pydantic model, to check them too."""
    if not cursor:
        return None
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise _malformed()
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise _malformed() from None
    if not isinstance(value, dict) or not all(_scalar(v) for v in value.values()):
        raise _malformed()
    if shape is None:
        return value
    try:
        return shape.model_validate_json(json.dumps(value))  # JSON mode: a strict model still reads timestamps
    except ValidationError:
        raise _malformed() from None


def _scalar(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return -SERIAL_MAX - 1 <= value <= SERIAL_MAX
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str) and len(value) <= 200 and "\x00" not in value


def _malformed() -> Problem:
    return Problem(400, "cursor is not one this API issued", [FieldError("cursor", "malformed cursor")])
