"""Leads settings: COXSWAIN_LEADS_<NAME> (and the platform's COXSWAIN_<NAME>)."""
from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class LeadsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COXSWAIN_LEADS_", extra="ignore")
    service: ClassVar[str] = "leads"

    port: int = 8001
