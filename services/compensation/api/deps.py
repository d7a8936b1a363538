"""Annotated dependencies: the unit of work and who is calling."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.db.uow import UnitOfWork
from shared.http.auth import Principal, require_roles
from shared.http.ids import path_id


def _uow(request: Request) -> UnitOfWork:
    return request.app.state.runtime.uow()  # type: ignore[no-any-return]


Uow = Annotated[UnitOfWork, Depends(_uow)]
Reader = Annotated[Principal, Depends(require_roles("admin", "ops", "manager", "rep", "integration"))]
Ops = Annotated[Principal, Depends(require_roles("admin", "ops"))]
RepId = Annotated[str, path_id("the rep's id")]
