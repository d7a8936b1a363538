"""The one table from event `type` to payload model and producing service, and the wire codec."""
from __future__ import annotations

import builtins
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from pydantic import BaseModel, ValidationError, create_model

from shared.events import catalog as c
from shared.events.envelope import CloudEvent, PoisonEvent


@dataclass(frozen=True)
class EventSpec:
    type: str
    model: builtins.type[BaseModel]
    producer: str  # the service that owns the aggregate; its topic is coxswain.<producer>
    # The newer version published beside this one during a deprecation window (docs/events.md, "Versions").
    superseded_by: str | None = None


REGISTRY: dict[str, EventSpec] = {
    spec.type: spec
    for spec in (
        EventSpec("coxswain.rep.upserted.v1", c.RepUpserted, "territory"),
        EventSpec("coxswain.team.upserted.v1", c.TeamUpserted, "territory"),
        EventSpec("coxswain.territory.upserted.v1", c.TerritoryUpserted, "territory"),
        EventSpec("coxswain.territory.deleted.v1", c.TerritoryDeleted, "territory"),
        EventSpec("coxswain.lead.routed.v1", c.LeadRouted, "territory"),
        EventSpec("coxswain.lead.created.v1", c.LeadCreated, "leads"),
        EventSpec("coxswain.lead.assigned.v1", c.LeadAssigned, "leads"),
        EventSpec("coxswain.lead.status_changed.v1", c.LeadStatusChanged, "leads"),
        EventSpec("coxswain.lead.sla_breached.v1", c.LeadSlaBreached, "leads"),
        EventSpec("coxswain.lead.converted.v1", c.LeadConverted, "leads"),
        EventSpec("coxswain.deal.created.v1", c.DealCreated, "pipeline"),
        EventSpec("coxswain.deal.stage_changed.v1", c.DealStageChanged, "pipeline"),
        EventSpec("coxswain.deal.updated.v1", c.DealUpdated, "pipeline"),
        EventSpec("coxswain.deal.closed.v1", c.DealClosed, "pipeline", superseded_by="coxswain.deal.closed.v2"),
        EventSpec("coxswain.deal.closed.v2", c.DealClosedV2, "pipeline"),
        EventSpec("coxswain.deal.reopened.v1", c.DealReopened, "pipeline"),
        EventSpec("coxswain.quota.set.v1", c.QuotaSet, "compensation"),
        EventSpec("coxswain.commission.calculated.v1", c.CommissionCalculated, "compensation"),
        EventSpec("coxswain.commission.reversed.v1", c.CommissionReversed, "compensation"),
        EventSpec("coxswain.forecast.snapshot_taken.v1", c.ForecastSnapshotTaken, "forecast"),
    )
}

H = TypeVar("H")


def type_of(model: builtins.type[BaseModel]) -> str:
    """The one event type whose payload is `model` (each catalog model travels under exactly one type)."""
    found = [spec.type for spec in REGISTRY.values() if spec.model is model]
    if len(found) != 1:
        raise LookupError(f"{model.__name__} is the payload of {len(found)} event types in the catalog, not one")
    return found[0]


def by_payload(handlers: Mapping[builtins.type[BaseModel], H]) -> dict[str, H]:
    """A handler table written by payload model (`{LeadCreated: route_new_lead}`), keyed by event type for
    the consumer: a handler is registered for exactly the model it reads, and a typo cannot name a type
    the catalog does not have."""
    return {type_of(model): handler for model, handler in handlers.items()}


SERVICES = ("leads", "pipeline", "forecast", "compensation", "territory")


def topic_for(event_type: str) -> str:
    return f"coxswain.{REGISTRY[event_type].producer}"


def dead_letter_topic(topic: str, group: str) -> str:
    return f"{topic}.dlq.{group}"


def encode_event(event: CloudEvent) -> bytes:
    return event.model_dump_json().encode()


def _field_errors(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}" for e in error.errors())


# Where the envelope's type most likely is: read before parsing, to pick the typed envelope that validates
# the envelope and its data in one pass over the bytes. Only a hint: the result is used only when the
# validated type is the one guessed; anything else takes the general path below.
_TYPE_HINT = re.compile(rb'"type"\s*:\s*"([a-z0-9_.]{1,200})"')


@cache
def _typed_envelope(event_type: str) -> builtins.type[CloudEvent]:
    """The envelope with `data` declared as the payload model of `event_type` (built once per type)."""
    spec = REGISTRY[event_type]
    return create_model(f"{spec.model.__name__}Envelope", __base__=CloudEvent, data=(spec.model, ...))


def decode_event(raw: bytes | None) -> CloudEvent:
    """Parse and validate a record value; anything that can never be handled raises PoisonEvent.

    Fast path: the type is read from the bytes, and a typed envelope validates the whole JSON document in
    one pass (pydantic-core's parser, no intermediate dict, no second validation of `data`). Whatever that
    refuses - and any type guess that turns out wrong - goes through the general path, which gives the
    reasons."""
    hint = _TYPE_HINT.search(raw) if raw else None
    if hint is not None:
        event_type = hint.group(1).decode()
        if event_type in REGISTRY:
            try:
                typed = _typed_envelope(event_type).model_validate_json(raw or b"")
            except ValueError:  # ValidationError included
                pass
            else:
                if typed.type == event_type:
                    return CloudEvent.model_construct(typed.model_fields_set, **dict(typed))
    return _decode_slowly(raw)


def _decode_slowly(raw: bytes | None) -> CloudEvent:
    try:
        document = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        raise PoisonEvent(f"not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise PoisonEvent("not a CloudEvent: the value is not a JSON object")
    try:
        envelope = CloudEvent.model_validate(document)
    except ValidationError as exc:
        raise PoisonEvent(f"not a CloudEvent: {_field_errors(exc)}") from None
    spec = REGISTRY.get(envelope.type)
    if spec is None:
        raise PoisonEvent(f"unknown type {envelope.type!r}")
    try:
        data = spec.model.model_validate(envelope.data)
    except ValidationError as exc:
        raise PoisonEvent(f"invalid data for {envelope.type}: {_field_errors(exc)}") from None
    return envelope.model_copy(update={"data": data})
