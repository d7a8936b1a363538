"""One page of a list read from a table, keyset-paged in SQL (shared.db.paging)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Listing(Generic[T]):
    """The page's items, and the id to continue after when another page follows."""

    items: list[T]
    next_after: str | None
