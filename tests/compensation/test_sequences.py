"""A batch's commission events take their subject sequences in one statement, continuing uow.emit's counters."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from services.compensation.db.models import metadata
from services.compensation.db.sequences import next_sequences, stream_of
from shared.clock import FixedClock
from shared.events import catalog as ev
from shared.testing.memory import memory_units

pytestmark = pytest.mark.unit
CLOCK = FixedClock(datetime(2026, 11, 20, 12, tzinfo=UTC))
REVERSED = "coxswain.commission.reversed.v1"


def _reversed(rep_id: str) -> ev.CommissionReversed:
    return ev.CommissionReversed(rep_id=rep_id, deal_id="d-1", period="2026-Q4", amount=D("1.00"), currency="USD",
                                 reason="deal reopened")


async def test_sequences_continue_each_stream_and_a_stream_named_twice_gets_two_in_order() -> None:
    async with memory_units("compensation", metadata, CLOCK) as units:
        async with units() as uow:
            first = await uow.emit(REVERSED, subject="rep-1:d-1", data=_reversed("rep-1"))
            assert first.sequence == 1
            a, b = stream_of("coxswain.commission.calculated.v1", "rep-1:d-1"), "commission:rep-2:d-1"
            assert a == "commission:rep-1:d-1"
            assert await next_sequences(uow.session, [a, b, a, b, b]) == [2, 1, 3, 2, 3]
            assert await next_sequences(uow.session, []) == []
            later = await uow.emit(REVERSED, subject="rep-2:d-1", data=_reversed("rep-2"))
            assert later.sequence == 4
