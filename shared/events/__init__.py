"""The CloudEvents envelope, the catalog's typed payloads and the type registry."""
from shared.events.envelope import CloudEvent, PoisonEvent, new_event
from shared.events.registry import REGISTRY, EventSpec, by_payload, decode_event, encode_event, topic_for, type_of

__all__ = [
    "CloudEvent",
    "EventSpec",
    "PoisonEvent",
    "REGISTRY",
    "by_payload",
    "decode_event",
    "encode_event",
    "new_event",
    "topic_for",
    "type_of",
]
