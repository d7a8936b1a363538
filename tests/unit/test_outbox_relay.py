"""The outbox: events commit with the state or not at all; the relay publishes in order and keeps what a
broker outage refused."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from shared.clock import FixedClock
from shared.db.engine import make_engine, make_session_factory
from shared.db.plumbing import outbox, plumbing_metadata
from shared.db.uow import UnitOfWork
from shared.events import decode_event
from shared.events.catalog import CommissionReversed, QuotaSet
from shared.messaging.records import OutgoingRecord
from shared.messaging.relay import OutboxRelay
from shared.observability.metrics import ServiceMetrics

CLOCK = FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC))


class FlakyBroker:
    def __init__(self, refusals: int) -> None:
        self.refusals, self.sent = refusals, []  # type: ignore[var-annotated]

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def ping(self) -> bool:
        return self.refusals == 0

    async def publish(self, records: Sequence[OutgoingRecord]) -> None:
        if self.refusals:
            self.refusals -= 1
            raise ConnectionError("broker unreachable")
        self.sent.extend(records)


async def _sessions(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'o.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(plumbing_metadata.create_all)
    return engine, make_session_factory(engine)


def _quota(rep: str, amount: int) -> QuotaSet:
    return QuotaSet(rep_id=rep, period="2026-Q4", amount=Decimal(amount), currency="EUR")


async def test_rolled_back_work_leaves_no_event(tmp_path: Path) -> None:
    engine, sessions = await _sessions(tmp_path)
    async with UnitOfWork(sessions, service="compensation", clock=CLOCK) as uow:
        await uow.emit("coxswain.quota.set.v1", subject="rep-1", data=_quota("rep-1", 1))
        # no commit: leaving the block rolls back
    async with sessions() as session:
        assert (await session.execute(select(outbox))).all() == []
    await engine.dispose()


async def test_sequences_count_per_subject(tmp_path: Path) -> None:
    engine, sessions = await _sessions(tmp_path)
    async with UnitOfWork(sessions, service="compensation", clock=CLOCK) as uow:
        seqs = [(await uow.emit("coxswain.quota.set.v1", subject=s, data=_quota(s, 1))).sequence
                for s in ("rep-1", "rep-2", "rep-1", "rep-1")]
        await uow.commit()
    assert seqs == [1, 1, 2, 3]
    async with UnitOfWork(sessions, service="compensation", clock=CLOCK) as uow:
        other_kind = await uow.emit("coxswain.commission.reversed.v1", subject="rep-1", data=CommissionReversed(
            rep_id="rep-1", deal_id="d", period="2026-11", amount=Decimal("-1.00"), currency="EUR", reason="x"))
        again = await uow.emit("coxswain.quota.set.v1", subject="rep-1", data=_quota("rep-1", 1))
        await uow.commit()
    assert (other_kind.sequence, again.sequence) == (1, 4)  # counted per kind of aggregate
    await engine.dispose()


async def test_relay_keeps_rows_through_an_outage_and_publishes_them_in_order(tmp_path: Path) -> None:
    engine, sessions = await _sessions(tmp_path)
    async with UnitOfWork(sessions, service="compensation", clock=CLOCK) as uow:
        for amount in range(1, 6):
            await uow.emit("coxswain.quota.set.v1", subject="rep-1", data=_quota("rep-1", amount))
        await uow.commit()
    broker = FlakyBroker(refusals=2)
    relay = OutboxRelay(sessions, broker, clock=CLOCK, metrics=ServiceMetrics("t"))
    for _ in range(2):
        with pytest.raises(ConnectionError):
            await relay.publish_pending()
        assert await relay.pending() == 5
    assert await relay.publish_pending() == 5
    assert await relay.pending() == 0 and await relay.publish_pending() == 0
    events = [decode_event(r.value) for r in broker.sent]
    assert [e.data.amount for e in events] == [Decimal(n) for n in range(1, 6)]
    assert [e.sequence for e in events] == [1, 2, 3, 4, 5]
    assert {(r.topic, r.key) for r in broker.sent} == {("coxswain.compensation", "rep-1")}
    await engine.dispose()
