"""Annotated dependencies: the unit of work and who is calling."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.db.uow import UnitOfWork
from shared.http.auth import Principal, require_roles


def _uow(request: Request) -> UnitOfWork:
    return request.app.state.runtime.uow()  # type: ignore[no-any-return]


Uow = Annotated[UnitOfWork, Depends(_uow)]
Reader = Annotated[Principal, Depends(require_roles("admin", "ops", "manager", "rep", "integration"))]
Seller = Annotated[Principal, Depends(require_roles("admin", "ops", "manager", "rep", "integration"))]
Organiser = Annotated[Principal, Depends(require_roles("admin", "ops"))]
Analyst = Annotated[Principal, Depends(require_roles("admin", "ops", "manager", "rep"))]


def _stale_after_days(request: Request) -> int:
    return request.app.state.runtime.settings.stale_after_days  # type: ignore[no-any-return]


StaleAfterDays = Annotated[int, Depends(_stale_after_days)]


def _publishes_deal_closed_v2(request: Request) -> bool:
    return request.app.state.runtime.settings.publish_deal_closed_v2  # type: ignore[no-any-return]


PublishesDealClosedV2 = Annotated[bool, Depends(_publishes_deal_closed_v2)]
