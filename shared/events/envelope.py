"""CloudEvents 1.0 in structured content mode (CONTRACT.md, "Events on Kafka")."""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

CONTENT_TYPE = "application/cloudevents+json"


class PoisonEvent(Exception):
    """A record no handler can ever accept; it belongs in the dead-letter topic with `reason`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CloudEvent(BaseModel):
    """The envelope. `data` is the validated payload model of `type` once decoded."""

    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: uuid.UUID
    source: str = Field(pattern=r"^/coxswain/[a-z]+$")
    type: str = Field(pattern=r"^coxswain\.[a-z_]+\.[a-z_]+\.v[0-9]+$")
    subject: str = Field(min_length=1)
    time: datetime
    datacontenttype: Literal["application/json"] = "application/json"
    sequence: int = Field(ge=1)
    data: Any

    @field_validator("time")
    @classmethod
    def _aware_utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("time must carry a UTC offset")
        return value.astimezone(UTC)

    @property
    def service(self) -> str:
        return self.source.rsplit("/", 1)[-1]


def new_event(
    *, type: str, source_service: str, subject: str, data: BaseModel, time: datetime, sequence: int = 1,
    extensions: Mapping[str, str] | None = None,
) -> CloudEvent:
    """Build an envelope around a payload model (the sequence is usually set by the outbox).
    `extensions` are CloudEvents extension attributes, e.g. `traceparent` (distributed tracing)."""
    attributes: dict[str, Any] = dict(extensions or {})
    return CloudEvent(
        **attributes,
        id=uuid.uuid4(),
        source=f"/coxswain/{source_service}",
        type=type,
        subject=subject,
        time=time,
        sequence=sequence,
        data=data,
    )
