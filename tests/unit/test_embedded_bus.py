"""The embedded bus survives a restart: committed positions persist, nothing is lost or handled twice."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from shared.clock import FixedClock
from shared.messaging.embedded import EmbeddedBus
from shared.messaging.records import OutgoingRecord

CLOCK = FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC))


async def test_a_group_resumes_after_its_last_committed_record(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bus.db'}"
    bus = EmbeddedBus(url, clock=CLOCK)
    await bus.append([OutgoingRecord("coxswain.pipeline", f"deal-{i}", f"v{i}".encode()) for i in range(5)])
    await bus.append([OutgoingRecord("coxswain.leads", "lead-1", b"other topic")])
    first = await bus.fetch("forecast", ["coxswain.pipeline"], limit=2)
    assert [r.value for r in first] == [b"v0", b"v1"]
    await bus.commit("forecast", "coxswain.pipeline", first[-1].offset)
    await bus.close()

    reopened = EmbeddedBus(url, clock=CLOCK)  # a process restart
    rest = await reopened.fetch("forecast", ["coxswain.pipeline"], limit=100)
    assert [r.value for r in rest] == [b"v2", b"v3", b"v4"]
    assert [r.value for r in await reopened.fetch("compensation", ["coxswain.pipeline"], limit=100)] == [
        b"v0", b"v1", b"v2", b"v3", b"v4"]  # another group has its own position
    await reopened.close()


async def test_a_quiet_topic_never_pins_a_busy_one_to_records_already_consumed(tmp_path: Path) -> None:
    """A group reading a busy and a quiet topic drains both, however far the busy one runs ahead."""
    bus = EmbeddedBus(f"sqlite+aiosqlite:///{tmp_path / 'bus.db'}", clock=CLOCK)
    await bus.append([OutgoingRecord("coxswain.territory", f"lead-{i}", f"routed-{i}".encode()) for i in range(600)])
    await bus.append([OutgoingRecord("coxswain.pipeline", "deal-1", b"created")])  # the quiet topic, after them
    topics = ["coxswain.pipeline", "coxswain.territory"]
    seen: list[bytes] = []
    for _ in range(4):  # 601 records at 500 a fetch: two fetches, then nothing
        batch = await bus.fetch("forecast", topics, limit=500)
        seen.extend(r.value for r in batch if r.value is not None)
        for topic in topics:
            mine = [r.offset for r in batch if r.topic == topic]
            if mine:
                await bus.commit("forecast", topic, max(mine))
    # Before the fix the second fetch started again at offset 0 (the quiet topic's position) and got the same
    # 500 consumed records, filtered them all away, and the last 100 and the deal were never delivered.
    assert len(seen) == 601 and len(set(seen)) == 601
    assert seen[-1] == b"created"
    assert await bus.backlog("forecast", topics) == {"coxswain.pipeline": 0, "coxswain.territory": 0}
    await bus.close()


async def test_a_fetch_keeps_log_order_across_topics_and_its_limit(tmp_path: Path) -> None:
    bus = EmbeddedBus(f"sqlite+aiosqlite:///{tmp_path / 'bus.db'}", clock=CLOCK)
    for i in range(3):
        await bus.append([OutgoingRecord("a", "k", f"a{i}".encode()), OutgoingRecord("b", "k", f"b{i}".encode())])
    await bus.commit("g", "a", 1)  # a0 (offset 1) consumed
    batch = await bus.fetch("g", ["a", "b"], limit=3)
    # Log after a0: b0(2) a1(3) b1(4) a2(5) b2(6); the first three in offset order.
    assert [r.value for r in batch] == [b"b0", b"a1", b"b1"]
    await bus.close()


async def test_pruning_drops_old_dead_letters_and_keeps_the_domain_log_unless_told(tmp_path: Path) -> None:
    from datetime import timedelta

    clock = FixedClock(datetime(2026, 11, 1, tzinfo=UTC))
    bus = EmbeddedBus(f"sqlite+aiosqlite:///{tmp_path / 'bus.db'}", clock=clock)
    await bus.append([OutgoingRecord("coxswain.leads", f"l{i}", b"old") for i in range(3)])  # offsets 1-3
    await bus.append([OutgoingRecord("coxswain.leads.dlq.territory", "l9", b"poison")])      # offset 4
    clock.advance(days=20)
    await bus.append([OutgoingRecord("coxswain.leads", "l5", b"new")])                       # offset 5
    await bus.commit("territory", "coxswain.leads", 5)
    await bus.commit("pipeline", "coxswain.leads", 2)  # the slowest group has consumed offsets 1-2
    now = clock.now()

    # Default: the domain log is kept forever; the 20-day-old dead letter is past 14 days and goes.
    assert await bus.prune(dlq_before=now - timedelta(days=14), log_before=None, batch=2) == 1
    assert await bus.records("coxswain.leads.dlq.territory") == []
    assert len(await bus.records("coxswain.leads")) == 4
    # With a 7-day log window, only old records every group has consumed go: offsets 1 and 2, not 3 or 5.
    assert await bus.prune(dlq_before=now - timedelta(days=14), log_before=now - timedelta(days=7), batch=1) == 2
    assert [r.offset for r in await bus.records("coxswain.leads")] == [3, 5]
    await bus.commit("pipeline", "coxswain.leads", 5)
    clock.advance(days=30)  # everything is old and consumed, but the newest record keeps offsets unique
    assert await bus.prune(dlq_before=clock.now(), log_before=clock.now(), batch=10) == 1
    await bus.append([OutgoingRecord("coxswain.leads", "l6", b"next")])
    assert [r.offset for r in await bus.records("coxswain.leads")] == [5, 6]  # 6, never 5 again
    await bus.close()
