"""Annotated dependencies: the unit of work, the settings and who is calling."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.forecast.settings import ForecastSettings
from shared.clock import Clock
from shared.db.uow import UnitOfWork
from shared.http.auth import Principal, require_roles


def _uow(request: Request) -> UnitOfWork:
    return request.app.state.runtime.uow()  # type: ignore[no-any-return]


def _settings(request: Request) -> ForecastSettings:
    return request.app.state.runtime.settings  # type: ignore[no-any-return]


def _clock(request: Request) -> Clock:
    return request.app.state.runtime.clock  # type: ignore[no-any-return]


Uow = Annotated[UnitOfWork, Depends(_uow)]
Settings = Annotated[ForecastSettings, Depends(_settings)]
Now = Annotated[Clock, Depends(_clock)]
Reader = Annotated[Principal, Depends(require_roles("admin", "ops", "manager", "rep", "integration"))]
Adjuster = Annotated[Principal, Depends(require_roles("admin", "ops", "manager"))]
Planner = Annotated[Principal, Depends(require_roles("admin", "ops", "manager", "integration"))]
