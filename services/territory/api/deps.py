"""What only territory's routes need besides shared.http.deps: the running service's territory index cache."""
from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from services.territory.db.indexes import TerritoryIndexes


def _indexes(request: Request) -> TerritoryIndexes:
    return cast(TerritoryIndexes, request.app.state.territory_indexes)


Indexes = Annotated[TerritoryIndexes, Depends(_indexes)]
