"""Keyset paging in SQL, one way for all five services: `WHERE key > :after ORDER BY key LIMIT n + 1`.

The extra row says whether another page follows without a count. The key must be unique (an id, or a tuple
of columns ending with one); `Window.next_after` is the key of the page's last row, for the next cursor.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Row, Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


@dataclass(frozen=True)
class Window(Generic[T]):
    """One page of rows and, when more follow, the key to continue after."""

    rows: list[T]
    next_after: tuple[Any, ...] | None


def after_key(query: Select[Any], keys: Sequence[ColumnElement[Any]], after: Sequence[Any] | None,
              *, descending: bool = False) -> Select[Any]:
    """The query ordered by `keys`, starting after the row whose key is `after` (none: from the start)."""
    ordered = query.order_by(*(k.desc() if descending else k.asc() for k in keys))
    if after is None:
        return ordered
    key, value = (keys[0], after[0]) if len(keys) == 1 else (tuple_(*keys), tuple_(*after))
    return ordered.where(key < value if descending else key > value)


async def keyset_window(session: AsyncSession, query: Select[Any], keys: Sequence[ColumnElement[Any]],
                        after: Sequence[Any] | None, limit: int, *, descending: bool = False) -> Window[Row[Any]]:
    """At most `limit` rows after `after`, and the key to continue from when another page follows."""
    found = list((await session.execute(after_key(query, keys, after, descending=descending).limit(limit + 1))).all())
    rows = found[:limit]
    more = len(found) > limit
    return Window(rows, tuple(rows[-1]._mapping[k] for k in keys) if more and rows else None)
