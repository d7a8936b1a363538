"""The CloudEvents envelope, the catalog's typed payloads and the type registry."""
from shared.events.envelope import CloudEvent, PoisonEvent, new_event
from shared.events.registry import REGISTRY, EventSpec, decode_event, encode_event, topic_for

__all__ = [
    "CloudEvent",
    "EventSpec",
    "PoisonEvent",
    "REGISTRY",
    "decode_event",
    "encode_event",
    "new_event",
    "topic_for",
]
