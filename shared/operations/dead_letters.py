"""Dead letters as an operator sees them: list, show and redrive, on either bus.

A dead letter is the original record, untouched, on `<topic>.dlq.<group>` with why and whence in headers
(shared.messaging.records.dead_letter_record). Redriving publishes the original bytes and key back onto
the original topic once the cause is fixed. Every group reading that topic sees the event again: the
group that dead-lettered it applies it, the others' inboxes skip it as a duplicate, and a second redrive
of the same event is a duplicate everywhere. An event older than one its group has since applied for the
same subject is refused as stale by the sequence check, as any late event is.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from shared.messaging.records import (
    CONTENT_TYPE_HEADER,
    DLQ_GROUP,
    DLQ_MARK,
    DLQ_ORIGINAL_OFFSET,
    DLQ_ORIGINAL_PARTITION,
    DLQ_ORIGINAL_TOPIC,
    DLQ_REASON,
    IncomingRecord,
    OutgoingRecord,
)
from shared.settings import PlatformSettings

REDRIVEN_FROM = "coxswain-redriven-from"


class DeadLetterStore(Protocol):
    async def topics(self) -> list[str]: ...

    async def read(self, topic: str) -> list[IncomingRecord]: ...

    async def publish(self, records: Sequence[OutgoingRecord]) -> None: ...


@dataclass(frozen=True)
class DeadLetter:
    id: str  # <dead-letter topic>:<partition>:<offset>
    topic: str
    original_topic: str
    original_partition: int
    original_offset: int
    group: str
    reason: str
    key: str
    event_type: str
    event_id: str
    value: bytes

    def summary(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "value"}

    def document(self) -> Any:
        try:
            return json.loads(self.value)
        except ValueError:
            return self.value.decode(errors="replace")


@dataclass(frozen=True)
class DeadLetterFilter:
    topic: str | None = None  # the original topic, logical (coxswain.pipeline) or as on the broker
    group: str | None = None  # the consumer group, or the service whose group it is
    type: str | None = None   # the event type

    def admits(self, letter: DeadLetter, platform: PlatformSettings) -> bool:
        return ((self.topic is None or letter.original_topic in (self.topic, platform.topic(self.topic)))
                and (self.group is None or letter.group in (self.group, platform.group(self.group)))
                and (self.type is None or letter.event_type == self.type))


def dead_letter_from(record: IncomingRecord) -> DeadLetter:
    headers = {k: v.decode(errors="replace") for k, v in record.headers}
    event_type, event_id = _identity(record.value)
    original = headers.get(DLQ_ORIGINAL_TOPIC) or record.topic.split(DLQ_MARK)[0]
    return DeadLetter(
        id=f"{record.topic}:{record.partition}:{record.offset}", topic=record.topic,
        original_topic=original, original_partition=int(headers.get(DLQ_ORIGINAL_PARTITION, "0")),
        original_offset=int(headers.get(DLQ_ORIGINAL_OFFSET, "-1")),
        group=headers.get(DLQ_GROUP) or record.topic.split(DLQ_MARK)[-1], reason=headers.get(DLQ_REASON, ""),
        key=record.key or "", event_type=event_type, event_id=event_id, value=record.value or b"")


def _identity(value: bytes | None) -> tuple[str, str]:
    try:
        document = json.loads(value or b"")
        return str(document.get("type", "<no type>")), str(document.get("id", ""))
    except (ValueError, AttributeError):
        return "<undecodable>", ""


async def list_dead_letters(store: DeadLetterStore, platform: PlatformSettings,
                            where: DeadLetterFilter = DeadLetterFilter()) -> list[DeadLetter]:
    ours = platform.topic("coxswain.")
    letters: list[DeadLetter] = []
    for topic in await store.topics():
        if topic.startswith(ours) and DLQ_MARK in topic:
            letters.extend(dead_letter_from(r) for r in await store.read(topic))
    return [x for x in letters if where.admits(x, platform)]


async def redrive(store: DeadLetterStore, letters: Sequence[DeadLetter], *, batch: int = 100,
                  on_sent: Callable[[int], None] | None = None) -> int:
    """Publish each letter's original record back onto its original topic; returns how many went."""
    sent = 0
    for start in range(0, len(letters), batch):
        chunk = letters[start:start + batch]
        await store.publish([OutgoingRecord(topic=x.original_topic, key=x.key, value=x.value,
                                            headers=[CONTENT_TYPE_HEADER, (REDRIVEN_FROM, x.id.encode())])
                             for x in chunk])
        sent += len(chunk)
        if on_sent is not None:
            on_sent(len(chunk))
    return sent


class UnknownDeadLetter(LookupError):
    pass


async def read_dead_letters(platform: PlatformSettings, where: DeadLetterFilter = DeadLetterFilter()
                            ) -> list[DeadLetter]:
    from shared.operations.buses import open_store

    async with open_store(platform) as store:
        return await list_dead_letters(store, platform, where)


def chosen(letters: Sequence[DeadLetter], ids: Sequence[str]) -> list[DeadLetter]:
    """The letters named by id (all of them when none is named); an unknown id is an error, not a no-op."""
    unknown = set(ids) - {x.id for x in letters}
    if unknown:
        raise UnknownDeadLetter(f"no dead letter {', '.join(sorted(unknown))}")
    return [x for x in letters if x.id in ids] if ids else list(letters)


async def redrive_matching(platform: PlatformSettings, ids: Sequence[str], where: DeadLetterFilter, *,
                           on_chosen: Callable[[int], None], on_sent: Callable[[int], None]) -> int:
    from shared.operations.buses import open_store

    async with open_store(platform) as store:
        letters = chosen(await list_dead_letters(store, platform, where), ids)
        on_chosen(len(letters))
        return await redrive(store, letters, on_sent=on_sent)
