"""Territory settings: COXSWAIN_TERRITORY_<NAME> (and the platform's COXSWAIN_<NAME>)."""
from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class TerritorySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COXSWAIN_TERRITORY_", extra="ignore")
    service: ClassVar[str] = "territory"

    port: int = 8005
