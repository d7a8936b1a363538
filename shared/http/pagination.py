"""Cursor pagination: `?limit=&cursor=` returning `{items, next_cursor}`; cursors are opaque.

A cursor is base64url JSON of a position this API wrote. What comes back is the client's input like any other:
it is read into a typed position (a pydantic model, strict, nothing extra), so a crafted one (`{"after": {}}`,
`[1]`, `10^30`, a bigint, garbage) is a 400 naming `cursor`, never a value handed on to SQL.
"""
from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import from_json, to_json

from shared.errors import FieldError
from shared.http.problems import Problem

T = TypeVar("T")
MAX_CURSOR_CHARS = 1000
MAX_ID_CHARS = 200
MAX_SIGNED_64 = 2**63 - 1

Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
Cursor = Annotated[str | None, Query(max_length=MAX_CURSOR_CHARS, description="next_cursor of the previous page")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class Position(BaseModel):
    """Base of the positions a cursor carries: exact types, no other keys."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class AfterId(Position):
    """Keyset paging over text ids: the last id of the previous page."""

    after: str = Field(min_length=1, max_length=MAX_ID_CHARS)


class AfterNumber(Position):
    """Keyset paging over integer ids (a database bigint)."""

    after: int = Field(ge=0, le=MAX_SIGNED_64)


class AfterTime(Position):
    """Keyset paging newest first: the creation time and id of the previous page's last item."""

    at: AwareDatetime
    id: str = Field(min_length=1, max_length=MAX_ID_CHARS)


P = TypeVar("P", bound=Position)


def encode_cursor(position: dict[str, Any] | Position) -> str:
    data = position.model_dump(mode="json") if isinstance(position, Position) else position
    return base64.urlsafe_b64encode(to_json(data)).decode().rstrip("=")


def _malformed(why: str) -> Problem:
    return Problem(400, f"cursor is not one this API issued: {why}", [FieldError("cursor", "malformed cursor")])


def decode_cursor(cursor: str | None, shape: type[P]) -> P | None:
    """The position a cursor carries, or a 400 naming `cursor` when it is not one of this shape."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode("ascii"))
        value = from_json(raw)  # no recursion blow-up, no lone surrogates, bounded numbers
    except (ValueError, UnicodeEncodeError, binascii.Error):
        raise _malformed("not base64url JSON") from None
    if isinstance(value, dict) and isinstance(value.get("at"), str):
        # JSON has no datetime: the one text field that is a time is parsed leniently, the rest stays strict
        try:
            value = {**value, "at": datetime.fromisoformat(value["at"])}
        except ValueError:
            raise _malformed("'at' is not a time") from None
    try:
        return shape.model_validate(value)
    except ValidationError:
        raise _malformed(f"not a position of this list ({', '.join(shape.model_fields)})") from None


def after_id(cursor: str | None) -> str | None:
    position = decode_cursor(cursor, AfterId)
    return position.after if position else None


def after_number(cursor: str | None) -> int | None:
    position = decode_cursor(cursor, AfterNumber)
    return position.after if position else None


def page_by_key(items: Sequence[T], limit: int, cursor: str | None, key: Callable[[T], str]) -> Page[T]:
    """A page of a list computed in memory (a report, not a table), by its unique text key: the same cursor
    as keyset paging in SQL (shared/db/paging.py), so a client pages every list of every service one way."""
    after = after_id(cursor)
    rest = [i for i in sorted(items, key=key) if after is None or key(i) > after]
    chunk = rest[:limit]
    more = len(rest) > limit
    return Page[T](items=chunk, next_cursor=encode_cursor({"after": key(chunk[-1])}) if more and chunk else None)
