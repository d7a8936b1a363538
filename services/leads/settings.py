"""Leads settings: COXSWAIN_LEADS_<NAME> (and the platform's COXSWAIN_<NAME>)."""
from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class LeadsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COXSWAIN_LEADS_", extra="ignore")
    service: ClassVar[str] = "leads"

    port: int = 8001
    # The SLA bands and breach action are stored (GET/PUT /v1/sla-policy); these only pace the sweeper.
    sla_sweep_seconds: float = Field(default=30.0, gt=0)
    sla_sweep_batch: int = Field(default=200, ge=1)
    import_batch_rows: int = Field(default=5000, ge=1, le=20000)  # rows per transaction
    import_reported_errors: int = Field(default=1000, ge=0)  # bad rows listed in an import's answer
