"""Forecast's own request dependencies: its settings and the clock (the unit of work and the role sets are
shared.http.deps: Reader, Manager, Feeder)."""
from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from services.forecast.settings import ForecastSettings
from shared.clock import Clock


def _settings(request: Request) -> ForecastSettings:
    return cast(ForecastSettings, request.app.state.runtime.settings)


def _clock(request: Request) -> Clock:
    return cast(Clock, request.app.state.runtime.clock)


Settings = Annotated[ForecastSettings, Depends(_settings)]
Now = Annotated[Clock, Depends(_clock)]
