"""What pipeline's routes need beyond shared/http/deps.py (Uow and the role sets): two of its settings."""
from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from services.pipeline.settings import PipelineSettings


def _settings(request: Request) -> PipelineSettings:
    return cast(PipelineSettings, request.app.state.runtime.settings)


def _stale_after_days(request: Request) -> int:
    return _settings(request).stale_after_days


StaleAfterDays = Annotated[int, Depends(_stale_after_days)]


def _publishes_deal_closed_v2(request: Request) -> bool:
    return _settings(request).publish_deal_closed_v2


PublishesDealClosedV2 = Annotated[bool, Depends(_publishes_deal_closed_v2)]
