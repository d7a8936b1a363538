"""One way to page every list: keyset paging in SQL (shared/db/paging.py) and over a list held in memory
(shared.http.pagination.page_by_key), with the pages worked out by hand."""
from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import StaticPool

from shared.db.paging import keyset_window
from shared.http.pagination import after_id, encode_cursor, page_by_key
from shared.http.problems import Problem

metadata = MetaData()
deals = Table("deals", metadata, Column("id", String(10), primary_key=True), Column("stage", Integer))
# In (stage, id) order: (1, a) (1, c) (2, b) (2, d) (3, e); in id order: a b c d e.
ROWS = [{"id": "c", "stage": 1}, {"id": "a", "stage": 1}, {"id": "d", "stage": 2}, {"id": "b", "stage": 2},
        {"id": "e", "stage": 3}]
BY_ID, BY_STAGE = [deals.c.id], [deals.c.stage, deals.c.id]
QUERY = select(deals.c.id, deals.c.stage)


@pytest.fixture
async def session() -> AsyncIterator[AsyncSession]:
    engine = create_async_engine("sqlite+aiosqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.execute(deals.insert(), ROWS)
    async with AsyncSession(engine) as session:
        yield session
    await engine.dispose()


async def window(session: AsyncSession, keys: Sequence[Any], after: Sequence[Any] | None, limit: int,
                 descending: bool = False) -> tuple[list[tuple[Any, ...]], tuple[Any, ...] | None]:
    found = await keyset_window(session, QUERY, keys, after, limit, descending=descending)
    return [tuple(row) for row in found.rows], found.next_after


async def test_single_key_pages_ascending_to_the_last_page(session: AsyncSession) -> None:
    assert await window(session, BY_ID, None, 2) == ([("a", 1), ("b", 2)], ("b",))
    assert await window(session, BY_ID, ("b",), 2) == ([("c", 1), ("d", 2)], ("d",))
    assert await window(session, BY_ID, ("d",), 2) == ([("e", 3)], None)  # the last page, shorter
    assert await window(session, BY_ID, ("c",), 2) == ([("d", 2), ("e", 3)], None)  # the last page, full
    assert await window(session, BY_ID, None, 5) == ([("a", 1), ("b", 2), ("c", 1), ("d", 2), ("e", 3)], None)


async def test_single_key_pages_descending(session: AsyncSession) -> None:
    assert await window(session, BY_ID, None, 2, descending=True) == ([("e", 3), ("d", 2)], ("d",))
    assert await window(session, BY_ID, ("d",), 2, descending=True) == ([("c", 1), ("b", 2)], ("b",))
    assert await window(session, BY_ID, ("b",), 2, descending=True) == ([("a", 1)], None)


async def test_a_composite_key_pages_by_its_columns_in_order(session: AsyncSession) -> None:
    assert await window(session, BY_STAGE, None, 2) == ([("a", 1), ("c", 1)], (1, "c"))
    assert await window(session, BY_STAGE, (1, "c"), 2) == ([("b", 2), ("d", 2)], (2, "d"))
    assert await window(session, BY_STAGE, (2, "d"), 2) == ([("e", 3)], None)
    assert await window(session, BY_STAGE, (1, "b"), 3) == ([("c", 1), ("b", 2), ("d", 2)], (2, "d"))


async def test_a_composite_key_pages_descending(session: AsyncSession) -> None:
    assert await window(session, BY_STAGE, None, 2, descending=True) == ([("e", 3), ("d", 2)], (2, "d"))
    assert await window(session, BY_STAGE, (2, "d"), 2, descending=True) == ([("b", 2), ("c", 1)], (1, "c"))
    assert await window(session, BY_STAGE, (1, "c"), 2, descending=True) == ([("a", 1)], None)


async def test_past_the_end_or_an_empty_table_is_an_empty_page(session: AsyncSession) -> None:
    assert await window(session, BY_ID, ("e",), 2) == ([], None)
    assert await window(session, BY_ID, ("a",), 2, descending=True) == ([], None)
    await session.execute(deals.delete())
    assert await window(session, BY_ID, None, 2) == ([], None)
    assert await window(session, BY_STAGE, None, 2, descending=True) == ([], None)


def _key(item: dict[str, str]) -> str:
    return item["id"]


def test_a_list_in_memory_pages_by_its_key_with_the_same_cursor() -> None:
    items = [{"id": i} for i in ("rep-3", "rep-1", "rep-4", "rep-2", "rep-5")]
    first = page_by_key(items, 2, None, _key)
    assert first.items == [{"id": "rep-1"}, {"id": "rep-2"}]
    assert first.next_cursor == encode_cursor({"after": "rep-2"}) and after_id(first.next_cursor) == "rep-2"
    second = page_by_key(items, 2, first.next_cursor, _key)
    assert second.items == [{"id": "rep-3"}, {"id": "rep-4"}] and after_id(second.next_cursor) == "rep-4"
    last = page_by_key(items, 2, second.next_cursor, _key)
    assert last.items == [{"id": "rep-5"}] and last.next_cursor is None


def test_a_full_last_page_an_empty_list_and_a_cursor_past_the_end() -> None:
    items = [{"id": "b"}, {"id": "a"}]
    assert page_by_key(items, 2, None, _key).model_dump() == {"items": [{"id": "a"}, {"id": "b"}], "next_cursor": None}
    assert page_by_key([], 3, None, _key).model_dump() == {"items": [], "next_cursor": None}
    past = page_by_key(items, 2, encode_cursor({"after": "b"}), _key)
    assert past.items == [] and past.next_cursor is None


def test_a_cursor_of_another_shape_is_refused() -> None:
    with pytest.raises(Problem) as refused:
        page_by_key([{"id": "a"}], 1, encode_cursor({"offset": 1}), _key)
    assert refused.value.status == 400
