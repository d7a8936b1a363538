"""Pages of a short list read whole (a rep's quotas, a plan's assignments, what waits): offset cursors."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from shared.http.pagination import Page, encode_cursor, offset_of

T = TypeVar("T")


def page_of(items: Sequence[T], limit: int, cursor: str | None) -> Page[T]:
    offset = offset_of(cursor)
    chunk = list(items[offset:offset + limit])
    more = offset + limit < len(items)
    return Page[T](items=chunk, next_cursor=encode_cursor({"offset": offset + limit}) if more else None)
