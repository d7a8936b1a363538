"""Pipeline settings: COXSWAIN_PIPELINE_<NAME> (and the platform's COXSWAIN_<NAME>)."""
from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class PipelineSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COXSWAIN_PIPELINE_", extra="ignore")
    service: ClassVar[str] = "pipeline"

    port: int = 8002
    # A deal idle in its stage longer than this is stale (GET /v1/analytics/stale?idle_days= overrides it).
    stale_after_days: int = Field(default=14, ge=1)
    # deal.closed.v2 (the value as one money object) beside v1 during v1's deprecation window; v1 is published
    # either way until every consumer has moved (docs/events.md, "Versions").
    publish_deal_closed_v2: bool = False
