"""CloudEvents 1.0 in structured content mode (CONTRACT.md, "Events on Kafka")."""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema, field_validator

CONTENT_TYPE = "application/cloudevents+json"
SEQUENCE_DIGITS = 20  # 2^64 has 20 digits: every sequence fits, and string order is numeric order


def _sequence_in(value: Any) -> Any:
    # The CloudEvents sequence extension is a String compared lexicographically; records written before
    # issue 15 carry a JSON integer, and both are read as the same number.
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()):
            raise ValueError("sequence must be a string of decimal digits")
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("sequence must be a string of decimal digits (or, in older records, an integer)")
    return value


def wire_sequence(number: int) -> str:
    """The sequence as it travels: zero-padded, so lexicographic order is numeric order."""
    return f"{number:0{SEQUENCE_DIGITS}d}"


# An int inside the process (the inbox compares numbers); a zero-padded decimal string on the wire.
SequenceNumber = Annotated[
    int,
    BeforeValidator(_sequence_in),
    Field(ge=1, lt=10**SEQUENCE_DIGITS),
    PlainSerializer(wire_sequence, return_type=str, when_used="json"),
    WithJsonSchema({
        "type": "string", "pattern": f"^[0-9]{{{SEQUENCE_DIGITS}}}$", "examples": [wire_sequence(4)],
        "description": "CloudEvents sequence extension: the aggregate's version, a zero-padded decimal string "
                       "(lexicographic order = numeric order). Records written before this change carry a JSON "
                       "integer; consumers accept both."}, mode="serialization"),
]


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
    sequence: SequenceNumber
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
    `extensions` are CloudEvents extension attributes, e.g. `traceparent` (distributed tracing).

    The catalog is the contract: a payload carrying a field its model does not declare is refused here, so
    nothing travels outside it (consumers stay tolerant readers of fields added later)."""
    undeclared = undeclared_fields(data)
    if undeclared:
        raise ValueError(f"{data.__class__.__name__} carries fields the catalog does not declare: "
                         f"{', '.join(undeclared)} (declare them in shared/events/catalog.py)")
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


def undeclared_fields(model: BaseModel, path: str = "") -> list[str]:
    """Paths of the extra (undeclared) fields in a payload model and the models nested in it."""
    found = [f"{path}{name}" for name in (model.model_extra or {})]
    for name in type(model).model_fields:
        found += _undeclared_in(getattr(model, name), f"{path}{name}")
    return found


def _undeclared_in(value: Any, path: str) -> list[str]:
    if isinstance(value, BaseModel):
        return undeclared_fields(value, f"{path}.")
    if isinstance(value, list | tuple):
        return [p for i, item in enumerate(value) for p in _undeclared_in(item, f"{path}[{i}]")]
    return []
