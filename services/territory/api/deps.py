"""Annotated dependencies: the unit of work and who is calling."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.db.uow import UnitOfWork
from shared.http.auth import Principal, require_roles


def _uow(request: Request) -> UnitOfWork:
    return request.app.state.runtime.uow()  # type: ignore[no-any-return]


Uow = Annotated[UnitOfWork, Depends(_uow)]
# Managers and reps read the organisation; ops and admin change it (integration reads, for CRMs and BI).
Reader = Annotated[Principal, Depends(require_roles("admin", "ops", "manager", "rep", "integration"))]
Organiser = Annotated[Principal, Depends(require_roles("admin", "ops"))]
# Simulations change nothing: managers may try what-ifs too.
Planner = Annotated[Principal, Depends(require_roles("admin", "ops", "manager"))]
