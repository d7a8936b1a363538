"""The lists keyed by more than one column page by key in SQL: the commission that waits (deal, rep) and the
exchange rates (base, quote, day); a cursor that is not one of theirs is a 400 naming `cursor`."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from services.compensation.api.cursors import AfterCredit, AfterRate
from services.compensation.commands import periods as period_commands
from services.compensation.db.models import metadata
from services.compensation.queries import commissions, figures
from shared.http.pagination import decode_cursor, encode_cursor
from shared.http.problems import Problem
from shared.testing.memory import memory_units
from tests.compensation.test_handlers import CLOCK, OPS, handle, won

pytestmark = pytest.mark.unit


async def test_what_waits_and_the_rates_come_in_pages_by_key() -> None:
    async with memory_units("compensation", metadata, CLOCK) as units:
        # no plan for anyone: every credit waits; d-2 is split, so it waits twice (rep-1, rep-2)
        for deal_id, splits in (("d-3", [("rep-1", "100")]), ("d-1", [("rep-1", "100")]),
                                ("d-2", [("rep-2", "50"), ("rep-1", "50")])):
            await handle(units, "coxswain.deal.closed.v1", won(deal_id, "1000.00", splits), deal_id)
        pages, after = [], None
        while True:
            page = await commissions.pending(units(), OPS, None, after, 2)
            pages.append([(p.deal_id, p.rep_id) for p in page.rows])
            if page.next_after is None:
                break
            after = (page.next_after[0], page.next_after[1])
        assert pages == [[("d-1", "rep-1"), ("d-2", "rep-1")], [("d-2", "rep-2"), ("d-3", "rep-1")]]
        for base, day in (("GBP", 2), ("EUR", 3), ("EUR", 1)):
            await period_commands.set_rate(units(), period_commands.SetRate(base, "USD", date(2026, 10, day), D("1.1")))
        first = await figures.rates(units(), None, 2)
        assert [(r.base, r.effective_on.day) for r in first.rows] == [("EUR", 1), ("EUR", 3)]
        assert first.next_after is not None
        rest = await figures.rates(units(), (first.next_after[0], first.next_after[1], first.next_after[2]), 2)
        assert [(r.base, r.effective_on.day) for r in rest.rows] == [("GBP", 2)] and rest.next_after is None


@pytest.mark.parametrize("position", [{"offset": 2}, {"base": "EUR", "quote": "USD", "effective_on": "2026-13-45"},
                                      {"base": "EUR", "quote": "USD", "effective_on": 20261001}])
def test_a_rate_cursor_not_written_here_is_a_400(position: dict[str, object]) -> None:
    with pytest.raises(Problem) as refused:
        decode_cursor(encode_cursor(position), AfterRate)
    assert refused.value.status == 400


def test_a_credit_cursor_round_trips_and_refuses_others() -> None:
    written = encode_cursor(AfterCredit(deal_id="d-2", rep_id="rep-1"))
    assert decode_cursor(written, AfterCredit) == AfterCredit(deal_id="d-2", rep_id="rep-1")
    with pytest.raises(Problem):
        decode_cursor(encode_cursor({"deal_id": "d-2"}), AfterCredit)
