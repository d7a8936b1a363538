"""Compensation settings: COXSWAIN_COMPENSATION_<NAME> (and the platform's COXSWAIN_<NAME>)."""
from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class CompensationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COXSWAIN_COMPENSATION_", extra="ignore")
    service: ClassVar[str] = "compensation"

    port: int = 8004
