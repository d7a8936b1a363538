"""The AsyncAPI 3.0 document, generated from the event models: topics, messages and payload schemas."""
from __future__ import annotations

from typing import Any

from shared.events.envelope import CloudEvent
from shared.events.registry import REGISTRY, SERVICES


def _message_name(event_type: str) -> str:
    return event_type.removeprefix("coxswain.").replace(".", "_")


def asyncapi_document() -> dict[str, Any]:
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {"CloudEventEnvelope": CloudEvent.model_json_schema()}
    for event_type, spec in REGISTRY.items():
        name = _message_name(event_type)
        schemas[name] = spec.model.model_json_schema(mode="serialization")
        messages[name] = {
            "name": event_type,
            "contentType": "application/cloudevents+json",
            "summary": (spec.model.__doc__ or spec.model.__name__).strip().splitlines()[0],
            "payload": {"$ref": f"#/components/schemas/{name}"},
        }
    channels = {
        f"coxswain.{service}": {
            "address": f"coxswain.{service}",
            "messages": {
                _message_name(t): {"$ref": f"#/components/messages/{_message_name(t)}"}
                for t, s in REGISTRY.items() if s.producer == service
            },
        }
        for service in SERVICES
    }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "Coxswain events", "version": "1.0.0",
                 "description": "CloudEvents 1.0 (structured mode); record key = subject = aggregate id."},
        "channels": channels,
        "components": {"messages": messages, "schemas": schemas},
    }
