"""Forecast settings: COXSWAIN_FORECAST_<NAME> (and the platform's COXSWAIN_<NAME>)."""
from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ForecastSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COXSWAIN_FORECAST_", extra="ignore")
    service: ClassVar[str] = "forecast"

    port: int = 8003
