"""The territories as a parsed match index, reused until a territory changes (kept by the app, not the module)."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.territory.db import repository as repo
from services.territory.domain.matching import TerritoryIndex

KEPT = 8  # revisions remembered at most (a new one arrives with every territory change)


class TerritoryIndexes:
    """One per running service (its composition root makes it and hands it to routes and handlers): the index of
    each territories revision seen, so routing a lead does not parse every rule again."""

    def __init__(self) -> None:
        self._by_revision: dict[int, TerritoryIndex] = {}

    async def current(self, session: AsyncSession) -> TerritoryIndex:
        """The index of the committed territories, rebuilt only when a territory changed since it was built."""
        revision = await repo.territories_revision(session)
        index = self._by_revision.get(revision)
        if index is None:
            index = TerritoryIndex(await repo.all_territories(session))
            if len(self._by_revision) >= KEPT:
                self._by_revision.clear()
            self._by_revision[revision] = index
        return index


async def index_of(session: AsyncSession, indexes: TerritoryIndexes | None) -> TerritoryIndex:
    """From the cache, or (`None`: a transaction that changes territories itself, whose revision is not committed
    and may roll back) built afresh from what this transaction sees."""
    if indexes is None:
        return TerritoryIndex(await repo.all_territories(session))
    return await indexes.current(session)
