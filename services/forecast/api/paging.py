"""Pages of an append-only list held in memory (adjustments, snapshots of one period): offset cursors."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from shared.http.pagination import Page, encode_cursor, offset_of

T = TypeVar("T")


def page_of(items: Sequence[T], limit: int, cursor: str | None) -> Page[T]:
    offset = offset_of(cursor)
    chunk = list(items[offset:offset + limit])
    more = offset + limit < len(items)
    return Page(items=chunk, next_cursor=encode_cursor({"offset": offset + limit}) if more else None)
