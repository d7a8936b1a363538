"""Pages of an append-only list held in memory (adjustments, snapshots of one period): offset cursors."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from shared.errors import FieldError
from shared.http.pagination import Page, decode_cursor, encode_cursor
from shared.http.problems import Problem

T = TypeVar("T")


def page_of(items: Sequence[T], limit: int, cursor: str | None) -> Page[T]:
    position = decode_cursor(cursor) or {"offset": 0}
    offset = position.get("offset")
    if not isinstance(offset, int) or offset < 0:
        raise Problem(400, "cursor is not one this API issued", [FieldError("cursor", "malformed cursor")])
    chunk = list(items[offset:offset + limit])
    more = offset + limit < len(items)
    return Page(items=chunk, next_cursor=encode_cursor({"offset": offset + limit}) if more else None)
