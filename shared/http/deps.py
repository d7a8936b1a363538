"""Request dependencies every service uses (Annotated aliases), with one meaning everywhere.

The role sets: whoever knows what `Manager` admits in one service knows it in all five.
- Reader:   admin, ops, manager, rep, integration - reads, and a seller's own work (routes narrow it by scope)
- Person:   admin, ops, manager, rep - people only (analytics and coaching views, not CRM systems)
- Manager:  admin, ops, manager - leaders: adjustments, what-ifs, team analytics
- Feeder:   admin, ops, manager, integration - facts fed in by leaders or systems (lead capture, quotas)
- Operator: admin, ops - the organisation, plans, rules and repairs
"""
from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from shared.db.uow import UnitOfWork
from shared.http.auth import Principal, require_roles


def _uow(request: Request) -> UnitOfWork:
    return cast(UnitOfWork, request.app.state.runtime.uow())


Uow = Annotated[UnitOfWork, Depends(_uow)]

READERS = ("admin", "ops", "manager", "rep", "integration")
PEOPLE = ("admin", "ops", "manager", "rep")
MANAGERS = ("admin", "ops", "manager")
FEEDERS = ("admin", "ops", "manager", "integration")
OPERATORS = ("admin", "ops")

Reader = Annotated[Principal, Depends(require_roles(*READERS))]
Person = Annotated[Principal, Depends(require_roles(*PEOPLE))]
Manager = Annotated[Principal, Depends(require_roles(*MANAGERS))]
Feeder = Annotated[Principal, Depends(require_roles(*FEEDERS))]
Operator = Annotated[Principal, Depends(require_roles(*OPERATORS))]
