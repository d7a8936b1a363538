"""One face over both buses for the operator commands: which topics exist, read one, publish records."""
from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from shared.clock import SystemClock
from shared.messaging.embedded import EmbeddedBus
from shared.messaging.kafka import KafkaPublisher
from shared.messaging.records import IncomingRecord, OutgoingRecord
from shared.operations import kafka_reading
from shared.settings import PlatformSettings


class NoBus(RuntimeError):
    """The bus is not there to read (no embedded bus file yet, or no broker)."""


class EmbeddedStore:
    def __init__(self, bus: EmbeddedBus) -> None:
        self.bus = bus

    async def topics(self) -> list[str]:
        return await self.bus.topics()

    async def read(self, topic: str) -> list[IncomingRecord]:
        return await self.bus.records(topic)

    async def publish(self, records: Sequence[OutgoingRecord]) -> None:
        await self.bus.append(records)


class KafkaStore:
    def __init__(self, platform: PlatformSettings) -> None:
        self.bootstrap = platform.kafka_bootstrap
        self._publisher = KafkaPublisher(self.bootstrap, client_id="coxswain-operator")

    async def topics(self) -> list[str]:
        return await kafka_reading.list_topics(self.bootstrap)

    async def read(self, topic: str) -> list[IncomingRecord]:
        return await kafka_reading.read_topic(self.bootstrap, topic)

    async def publish(self, records: Sequence[OutgoingRecord]) -> None:
        await self._publisher.publish(records)

    async def close(self) -> None:
        await self._publisher.stop()


def embedded_bus_file(platform: PlatformSettings) -> Path:
    return platform.data_dir / "bus.db"


@asynccontextmanager
async def open_store(platform: PlatformSettings,
                     embedded_bus: EmbeddedBus | None = None) -> AsyncIterator[EmbeddedStore | KafkaStore]:
    if platform.bus == "kafka":
        store = KafkaStore(platform)
        try:
            yield store
        finally:
            await store.close()
        return
    if embedded_bus is not None:
        yield EmbeddedStore(embedded_bus)
        return
    if not embedded_bus_file(platform).exists():  # opening would create an empty bus and report nothing
        raise NoBus(f"no embedded bus at {embedded_bus_file(platform)} (set COXSWAIN_DATA_DIR)")
    bus = EmbeddedBus(platform.embedded_bus_url, clock=SystemClock())
    try:
        yield EmbeddedStore(bus)
    finally:
        await bus.close()
