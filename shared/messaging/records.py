"""Transport-neutral records and the two ports every bus implements: publishing and dead-lettering."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

DLQ_REASON = "coxswain-dlq-reason"
DLQ_ORIGINAL_TOPIC = "coxswain-dlq-original-topic"
DLQ_ORIGINAL_PARTITION = "coxswain-dlq-original-partition"
DLQ_ORIGINAL_OFFSET = "coxswain-dlq-original-offset"
DLQ_GROUP = "coxswain-dlq-group"
DLQ_MARK = ".dlq."  # dead-letter topics are <topic>.dlq.<group>
CONTENT_TYPE_HEADER = ("content-type", b"application/cloudevents+json")


@dataclass(frozen=True)
class OutgoingRecord:
    topic: str
    key: str
    value: bytes
    headers: list[tuple[str, bytes]] = field(default_factory=lambda: [CONTENT_TYPE_HEADER])


@dataclass(frozen=True)
class IncomingRecord:
    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


class Publisher(Protocol):
    """Sends records durably (acknowledged by every in-sync replica) or raises; order kept per key."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, records: Sequence[OutgoingRecord]) -> None: ...

    async def ping(self) -> bool: ...


def dead_letter_record(record: IncomingRecord, *, group: str, reason: str) -> OutgoingRecord:
    """The original bytes, untouched, with why and where they came from in headers."""
    return OutgoingRecord(
        topic=f"{record.topic}{DLQ_MARK}{group}",
        key=record.key or "",
        value=record.value or b"",
        headers=[
            (DLQ_REASON, reason.encode()[:4000]),
            (DLQ_ORIGINAL_TOPIC, record.topic.encode()),
            (DLQ_ORIGINAL_PARTITION, str(record.partition).encode()),
            (DLQ_ORIGINAL_OFFSET, str(record.offset).encode()),
            (DLQ_GROUP, group.encode()),
        ],
    )
