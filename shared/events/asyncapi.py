"""The AsyncAPI 3 document, generated from the event models and the services' handler tables.

One channel per topic and one per dead-letter topic (`<topic>.dlq.<group>`); each message's payload is the
whole CloudEvent (the envelope, with `type` and `source` fixed and `data` the catalog model); the Kafka
bindings say the record key is the subject. Operations say which service sends each topic (its outbox relay)
and which service receives which of its messages (its consumer group = its name), from the `EVENT_HANDLERS`
the services register. `coxswain asyncapi` writes it to docs/asyncapi.json; every service serves it at
`/asyncapi.json`; tests/contract/test_asyncapi.py checks it with the official parser (@asyncapi/parser).
"""
from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from pydantic.json_schema import models_json_schema

from shared.events.envelope import CONTENT_TYPE, CloudEvent, new_event
from shared.events.examples import EXAMPLES
from shared.events.registry import REGISTRY, SERVICES, dead_letter_topic, encode_event, topic_for

ASYNCAPI_VERSION = "3.0.0"
DOCUMENT_VERSION = "1.1.0"
KAFKA_BINDING = "0.5.0"
SCHEMAS = "#/components/schemas/"
TRACEPARENT = r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"
# The headers a dead letter carries (shared.messaging.records.dead_letter_record); duplicated here because
# shared.events imports nothing of the transport.
DEAD_LETTER_HEADERS = {
    "coxswain-dlq-reason": "why the consumer group gave the record up (at most 4,000 bytes)",
    "coxswain-dlq-original-topic": "the topic the record was read from",
    "coxswain-dlq-original-partition": "its partition there (decimal)",
    "coxswain-dlq-original-offset": "its offset there (decimal)",
    "coxswain-dlq-group": "the consumer group that gave it up",
}


@dataclass(frozen=True)
class Consumer:
    """What one service reads: its consumer group (= its name), topics, and the event types it handles."""

    group: str
    topics: tuple[str, ...]
    types: frozenset[str]


def installed_consumers() -> list[Consumer]:
    """The consumers of the services installed beside shared/ (their SPECs: handlers and topics)."""
    from shared.operations.installed import installed_services  # services load lazily; shared imports none

    return [Consumer(s.name, tuple(s.spec.consumes), frozenset(s.spec.handlers)) for s in installed_services()]


@cache
def served_document() -> dict[str, Any]:
    """The document `/asyncapi.json` answers with (the same on every service)."""
    return asyncapi_document(installed_consumers())


def message_id(event_type: str) -> str:
    return event_type.removeprefix("coxswain.").replace(".", "_")


def _channel_id(topic: str) -> str:
    return topic.removeprefix("coxswain.").replace(".", "_")


def asyncapi_document(consumers: Iterable[Consumer]) -> dict[str, Any]:
    consumers = sorted(consumers, key=lambda c: c.group)
    schemas = _schemas()
    messages = {message_id(t): _message(t) for t in REGISTRY}
    messages["dead_letter"] = _dead_letter_message()
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for service in SERVICES:
        topic = f"coxswain.{service}"
        types = sorted(t for t in REGISTRY if topic_for(t) == topic)
        channels[_channel_id(topic)] = _channel(topic, f"The events {service} owns and publishes.", types)
        operations[f"{service}_publishes"] = {
            "action": "send", "channel": {"$ref": f"#/channels/{_channel_id(topic)}"},
            "title": f"{service} publishes",
            "summary": f"{service} writes these events in its transactional outbox; its relay publishes them "
                       "(acks=all, idempotent producer, in order per key).",
            "messages": [_channel_message(topic, t) for t in types],
        }
    for consumer in consumers:
        for topic in consumer.topics:
            handled = sorted(t for t in consumer.types if t in REGISTRY and topic_for(t) == topic)
            _receive(channels, operations, consumer.group, topic, handled)
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": _info(),
        "defaultContentType": CONTENT_TYPE,
        "servers": _servers(),
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
    }


def _receive(channels: dict[str, Any], operations: dict[str, Any], group: str, topic: str,
             handled: list[str]) -> None:
    """A consumer group's receive operation on a topic, and the dead-letter channel it writes."""
    group_binding = {"kafka": {"groupId": {"type": "string", "enum": [group]}, "bindingVersion": KAFKA_BINDING}}
    operations[f"{group}_receives_{_channel_id(topic)}"] = {
        "action": "receive", "channel": {"$ref": f"#/channels/{_channel_id(topic)}"},
        "title": f"{group} receives from {topic}",
        "summary": f"Consumer group `{group}` applies these types (each in one transaction with its inbox); "
                   "any other well-formed CloudEvent on the topic, a newer version included, is ignored.",
        "messages": [_channel_message(topic, t) for t in handled],
        "bindings": group_binding,
    }
    dlq = dead_letter_topic(topic, group)
    channels[_channel_id(dlq)] = {
        "address": dlq, "title": f"Dead letters of {group} from {topic}",
        "description": "Records the group could never apply (not a CloudEvent, invalid data, a handler that kept "
                       "failing), byte for byte, with why and where from in headers. `coxswain dead-letters` "
                       "lists and replays them.",
        "messages": {"dead_letter": {"$ref": "#/components/messages/dead_letter"}},
        "bindings": {"kafka": {"topic": dlq, "bindingVersion": KAFKA_BINDING}},
    }
    operations[f"{group}_dead_letters_{_channel_id(topic)}"] = {
        "action": "send", "channel": {"$ref": f"#/channels/{_channel_id(dlq)}"},
        "title": f"{group} dead-letters records of {topic}",
        "messages": [{"$ref": f"#/channels/{_channel_id(dlq)}/messages/dead_letter"}],
        "bindings": group_binding,
    }


def _channel(topic: str, description: str, types: list[str]) -> dict[str, Any]:
    return {
        "address": topic, "title": topic, "description": description,
        "messages": {message_id(t): {"$ref": f"#/components/messages/{message_id(t)}"} for t in types},
        "bindings": {"kafka": {"topic": topic, "bindingVersion": KAFKA_BINDING}},
    }


def _channel_message(topic: str, event_type: str) -> dict[str, str]:
    return {"$ref": f"#/channels/{_channel_id(topic)}/messages/{message_id(event_type)}"}


def _info() -> dict[str, Any]:
    return {
        "title": "Coxswain events", "version": DOCUMENT_VERSION,
        "description": (
            "The events the five Coxswain services publish and consume (CONTRACT.md, docs/events.md).\n\n"
            "- CloudEvents 1.0, structured content mode: the record value is the whole event as JSON, header "
            "`content-type: application/cloudevents+json`.\n"
            "- The record key is the event's `subject` (the aggregate id): one aggregate's events stay in order "
            "on one partition.\n"
            "- `sequence` (CloudEvents sequence extension) is the aggregate's version as a 20-digit zero-padded "
            "decimal string; records written before document version 1.1.0 carry a JSON integer.\n"
            "- A consumer deduplicates on `id` and skips an event whose sequence is not above the last it applied "
            "for the same source, entity and subject.\n"
            "- Payload models accept fields added later (tolerant reader); a breaking change is a new `.vN` type "
            "published beside the old one for a deprecation window (see deal_closed_v2).\n"
            "- With COXSWAIN_NAMESPACE set, topics are `<namespace>.<topic>` and groups `<namespace>-<group>`."),
        "license": {"name": "Apache-2.0"},
    }


def _servers() -> dict[str, Any]:
    return {
        "development": {
            "host": "127.0.0.1:9092", "protocol": "kafka",
            "description": "The local broker `make infra-up` starts (deploy/kafka).",
        },
        "production": {
            "host": "{bootstrap}", "protocol": "kafka",
            "description": "Your cluster: the services read COXSWAIN_KAFKA_BOOTSTRAP.",
            "variables": {"bootstrap": {"default": "kafka:9092", "description": "a bootstrap server host:port"}},
        },
    }


def _schemas() -> dict[str, Any]:
    models = sorted({spec.model for spec in REGISTRY.values()}, key=lambda m: m.__name__)
    _, defs = models_json_schema([(m, "serialization") for m in models], ref_template=SCHEMAS + "{model}")
    schemas: dict[str, Any] = dict(defs["$defs"])
    schemas["CloudEventHeaders"] = {
        "type": "object", "required": ["content-type"],
        "properties": {
            "content-type": {"type": "string", "const": CONTENT_TYPE},
            "traceparent": {"type": "string", "pattern": TRACEPARENT,
                            "description": "W3C trace context of the request or event that caused this one"},
        },
    }
    schemas["DeadLetterHeaders"] = {
        "type": "object", "required": sorted(DEAD_LETTER_HEADERS),
        "properties": {name: {"type": "string", "description": text} for name, text in DEAD_LETTER_HEADERS.items()},
    }
    for event_type, spec in REGISTRY.items():
        schemas[_event_schema_id(event_type)] = _event_schema(event_type, spec.model.__name__, spec.producer)
    return dict(sorted(schemas.items()))


def _event_schema_id(event_type: str) -> str:
    return f"{message_id(event_type)}_event"


def _envelope() -> dict[str, Any]:
    schema = CloudEvent.model_json_schema(mode="serialization")
    schema["properties"]["traceparent"] = {
        "type": "string", "pattern": TRACEPARENT,
        "description": "CloudEvents distributed tracing extension (W3C trace context); also a record header"}
    # Every attribute but the optional extension is always sent (specversion and datacontenttype have defaults).
    schema["required"] = [name for name in schema["properties"] if name != "traceparent"]
    return schema


def _event_schema(event_type: str, model_name: str, producer: str) -> dict[str, Any]:
    """The whole CloudEvent of one type: the envelope with its type and source fixed and `data` the model."""
    schema = copy.deepcopy(_envelope())
    properties = schema["properties"]
    properties["type"] = {"type": "string", "const": event_type}
    properties["source"] = {"type": "string", "const": f"/coxswain/{producer}"}
    properties["data"] = {"$ref": SCHEMAS + model_name}
    schema["title"] = event_type
    schema["description"] = f"A {event_type} CloudEvent (structured mode)."
    if REGISTRY[event_type].superseded_by:
        schema["deprecated"] = True
    return schema


def _message(event_type: str) -> dict[str, Any]:
    spec = REGISTRY[event_type]
    doc = (spec.model.__doc__ or spec.model.__name__).strip()
    message: dict[str, Any] = {
        "name": event_type,
        "title": event_type,
        "summary": doc.splitlines()[0],
        "description": doc,
        "contentType": CONTENT_TYPE,
        "headers": {"$ref": SCHEMAS + "CloudEventHeaders"},
        "payload": {"$ref": SCHEMAS + _event_schema_id(event_type)},
        "correlationId": {"description": "the event id (consumers deduplicate on it)",
                          "location": "$message.payload#/id"},
        "bindings": {"kafka": {
            "key": {"type": "string", "minLength": 1, "description": "the event's subject (the aggregate id)"},
            "bindingVersion": KAFKA_BINDING}},
        "examples": [_example(event_type)],
    }
    if spec.superseded_by:
        message["description"] = (
            f"{doc}\n\nSuperseded by {spec.superseded_by} ({message_id(spec.superseded_by)}): both are published "
            "during the deprecation window; consumers move to the new version, then this one is retired.")
        message["x-coxswain-superseded-by"] = spec.superseded_by
    return message


def _example(event_type: str) -> dict[str, Any]:
    spec = REGISTRY[event_type]
    event = new_event(type=event_type, source_service=spec.producer, subject=_example_subject(event_type),
                      data=spec.model.model_validate(EXAMPLES[event_type]),
                      time=datetime(2026, 11, 2, 9, 30, tzinfo=UTC), sequence=4)
    event = event.model_copy(update={"id": uuid.uuid5(uuid.NAMESPACE_URL, f"coxswain:{event_type}")})
    return {"name": "example", "headers": {"content-type": CONTENT_TYPE},
            "payload": json.loads(encode_event(event))}


def _example_subject(event_type: str) -> str:
    data = EXAMPLES[event_type]
    entity = event_type.split(".")[1]
    return str(data.get(f"{entity}_id") or data.get("deal_id") or data.get("lead_id") or data.get("rep_id"))


def _dead_letter_message() -> dict[str, Any]:
    return {
        "name": "dead_letter",
        "title": "A dead letter",
        "summary": "A record a consumer group gave up, byte for byte, with why and where from in headers.",
        "description": "The value is the original record value, untouched: usually one of the original topic's "
                       "CloudEvents, but it may be anything that was on the topic (not JSON at all, for instance). "
                       "The key is the original key.",
        "contentType": "application/octet-stream",
        "headers": {"$ref": SCHEMAS + "DeadLetterHeaders"},
        "payload": {"description": "the original record value"},
        "bindings": {"kafka": {"key": {"type": "string", "description": "the original record key"},
                               "bindingVersion": KAFKA_BINDING}},
    }
