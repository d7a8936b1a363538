"""`coxswain rebuild` reads the log in full batches (the handlers take each batch's events at once): fetches are
joined until a batch holds `batch_size` records, in log order, and the last batch holds the rest. Both buses."""
from __future__ import annotations

import inspect

from shared.messaging.kafka import ensure_topics
from shared.operations.rebuild import REBUILD_BATCH, rebuild, rebuild_command
from shared.operations.rebuild_log import EmbeddedLog, KafkaLog
from shared.testing.backends import Backend, KafkaBackend


async def test_the_log_comes_in_full_batches_in_order(backend: Backend) -> None:
    topic = backend.topic("coxswain.pipeline")
    if isinstance(backend, KafkaBackend):
        await ensure_topics(backend.platform.kafka_bootstrap, [topic])
    for i in range(12):
        await backend.produce_raw(topic, "d-1", f"record {i:02d}".encode())  # one key: one partition, in order
    log: EmbeddedLog | KafkaLog
    if isinstance(backend, KafkaBackend):
        log = KafkaLog(backend.platform.kafka_bootstrap, [topic], client_id="test-rebuild-batches", batch_size=5)
    else:
        assert backend.embedded_bus is not None
        log = EmbeddedLog(backend.embedded_bus, [topic], batch_size=5)
    await log.open()
    try:
        batches = [batch async for batch in log.batches()]
    finally:
        await log.close()
    assert [len(b) for b in batches] == [5, 5, 2]
    assert [v for b in batches for v in b] == [f"record {i:02d}".encode() for i in range(12)]


def test_a_rebuild_takes_the_largest_batches_by_default() -> None:
    assert REBUILD_BATCH == 5000
    assert inspect.signature(rebuild).parameters["batch_size"].default == REBUILD_BATCH
    assert inspect.signature(rebuild_command).parameters["batch_size"].default == REBUILD_BATCH
