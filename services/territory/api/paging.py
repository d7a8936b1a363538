"""Cursor pages over id-ordered lists (`?limit=&cursor=` → `{items, next_cursor}`)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from shared.http.pagination import Page, after_id, encode_cursor

T = TypeVar("T")


def page_of(items: Sequence[T], limit: int, cursor: str | None, key: Callable[[T], str]) -> Page[T]:
    after = after_id(cursor)
    rest = [i for i in sorted(items, key=key) if after is None or key(i) > after]
    chunk = rest[:limit]
    more = len(rest) > limit
    return Page[T](items=chunk, next_cursor=encode_cursor({"after": key(chunk[-1])}) if more else None)
