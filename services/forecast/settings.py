"""Forecast settings: COXSWAIN_FORECAST_<NAME> (and the platform's COXSWAIN_<NAME>)."""
from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.forecast.domain.methods import MethodSettings
from services.forecast.domain.periods import FiscalCalendar
from shared.settings import ServiceSettings


class ForecastSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COXSWAIN_FORECAST_", extra="ignore")
    service: ClassVar[str] = "forecast"

    port: int = 8003
    fiscal_year_start_month: int = Field(default=1, ge=1, le=12)
    historical_prior_weight: int = Field(default=10, ge=0, description="pseudo-deals of the win-rate prior")
    default_cycle_days: int = Field(default=90, ge=1, description="average won cycle before any deal is won")
    cycle_cap_percent: int = Field(default=95, ge=1, le=99)
    snapshot_schedule: bool = Field(default=True, description="take scheduled snapshots at all")
    snapshot_every_days: int = Field(default=7, ge=1, description="scheduled snapshots: weekly by default")
    snapshot_check_seconds: float = Field(default=300.0, gt=0, description="how often the schedule looks")

    @property
    def calendar(self) -> FiscalCalendar:
        return FiscalCalendar(self.fiscal_year_start_month)

    @property
    def methods(self) -> MethodSettings:
        return MethodSettings(self.historical_prior_weight, self.default_cycle_days, self.cycle_cap_percent)
