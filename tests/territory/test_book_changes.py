"""The books' fold (domain/book_changes.py): a batch's changes give exactly the rows the same changes give one at a
time, in several orders where order must not matter, and the rows are the ones computed by hand."""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

import pytest

from services.territory.domain.book_changes import (
    Assignment,
    DealChange,
    DealClose,
    DealOpened,
    DealReopen,
    DealUpdate,
    LeadBook,
    LeadChange,
    NewLead,
    QuotaChange,
    StageChange,
    StatusChange,
    deal_after,
    fold_deals,
    fold_leads,
    fold_quotas,
    lead_after,
    leads_to_route,
)
from services.territory.domain.books import BookedDeal, BookedLead

pytestmark = pytest.mark.unit

AT = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
C = TypeVar("C")


def at(minutes: int) -> datetime:
    return AT + timedelta(minutes=minutes)


def one_by_one_leads(known: dict[str, BookedLead], changes: Iterable[LeadChange]) -> dict[str, BookedLead]:
    """What handling each change as its own event leaves: read the row, apply, write when the rule says so."""
    store = dict(known)
    for change in changes:
        after = lead_after(store.get(change.lead_id), change)
        if after is not None:
            store[change.lead_id] = after
    return store


def one_by_one_deals(known: dict[str, BookedDeal], changes: Iterable[DealChange],
                     leads: dict[str, str | None]) -> dict[str, BookedDeal]:
    store = dict(known)
    for change in changes:
        after = deal_after(store.get(change.deal_id), change, leads)
        if after is not None:
            store[change.deal_id] = after
    return store


def orders(changes: Sequence[C], limit: int = 120) -> list[list[C]]:
    return [list(p) for p in itertools.islice(itertools.permutations(changes), limit)]


KNOWN_LEAD = BookedLead("L1", {"country": "DE"}, territory_id="de", rep_id="ana", assigned_at=at(0))
LEAD_CHANGES: list[LeadChange] = [
    Assignment("L1", "bo", "de", at(10)),
    Assignment("L1", "cy", "fr", at(20)),
    Assignment("L1", "ana", "de", at(5)),  # older than what is kept by then
    StatusChange("L1", "new", "contacted", at(30)),
    StatusChange("L1", "contacted", "converted", at(40)),
    StatusChange("L2", "new", "working", at(15)),  # a lead territory never saw
]


def test_a_batch_of_lead_changes_gives_the_rows_one_at_a_time_gives_in_every_order() -> None:
    expected_l1 = BookedLead("L1", {"country": "DE"}, status="converted", is_open=False, territory_id="fr",
                             rep_id="cy", assigned_at=at(20), first_touch_at=at(30), status_at=at(40))
    expected_l2 = BookedLead("L2", {}, status="working", first_touch_at=at(15), status_at=at(15))
    for order in orders(LEAD_CHANGES, limit=720):
        written = fold_leads({"L1": KNOWN_LEAD}, order)
        assert written == {"L1": expected_l1, "L2": expected_l2}
        assert {**{"L1": KNOWN_LEAD}, **written} == one_by_one_leads({"L1": KNOWN_LEAD}, order)


def test_an_older_assignment_alone_writes_nothing() -> None:
    assert fold_leads({"L1": KNOWN_LEAD}, [Assignment("L1", "bo", "de", at(-5))]) == {}


def test_the_lead_book_counts_each_reps_open_leads_as_changes_land() -> None:
    book = LeadBook({"L1": KNOWN_LEAD}, {"ana": 1})
    book.apply(Assignment("L1", "bo", None, at(10)))  # moves from ana to bo, keeps its territory
    assert book.load == {"ana": 0, "bo": 1}
    assert book.written["L1"].territory_id == "de"
    book.apply(StatusChange("L1", "new", "disqualified", at(20)))  # closed: loads nobody
    assert book.load == {"ana": 0, "bo": 0}
    book.put(BookedLead("L3", {}, rep_id="ana"))
    assert book.load == {"ana": 1, "bo": 0}


def deal(deal_id: str, **more: object) -> BookedDeal:
    fields: dict[str, object] = {"owner_id": "ana", "amount": Decimal("100.00"), "currency": "EUR",
                                 "changed_at": AT, **more}
    return BookedDeal(deal_id, **fields)  # type: ignore[arg-type]


def test_a_batch_of_deal_changes_gives_the_rows_one_at_a_time_gives() -> None:
    changes: list[DealChange] = [
        DealOpened(deal("D1", lead_id="L1")),  # no territory: counts where L1 was routed
        DealOpened(deal("D1", amount=Decimal("999.00"), territory_id="x")),  # kept once
        StageChange("D1", "ana", Decimal("200.00"), "EUR", at(10)),
        StageChange("D1", "ana", Decimal("150.00"), "EUR", at(5)),  # older: ignored
        DealUpdate("D1", at(20), owner_id="bo", split_pairs=(("bo", Decimal("50")), ("cy", Decimal("50")))),
        DealClose("D1", "won", "bo", Decimal("210.00"), "EUR", None, at(30), (("bo", Decimal("100")),)),
        DealReopen("D1", at(25)),  # older than the close: ignored
        DealReopen("D1", at(40)),
        StageChange("D2", "cy", Decimal("70.00"), "USD", at(1)),  # unknown deal: kept from the stage change
        DealUpdate("D3", at(1), amount=Decimal("5.00")),  # unknown deal: nothing
    ]
    leads = {"L1": "de"}
    written = fold_deals({}, changes, leads)
    assert written == one_by_one_deals({}, changes, leads)
    assert written == {
        "D1": BookedDeal("D1", "bo", Decimal("210.00"), "EUR", at(40), territory_id="de", lead_id="L1",
                         status="open", closed_at=None, splits=(("bo", Decimal("100")),)),
        "D2": BookedDeal("D2", "cy", Decimal("70.00"), "USD", at(1)),
    }


def test_stage_changes_and_updates_keep_the_newest_in_every_order() -> None:
    known = {"D1": deal("D1", territory_id="de")}
    changes: list[DealChange] = [
        StageChange("D1", "ana", Decimal("200.00"), "EUR", at(10)),
        StageChange("D1", "bo", Decimal("300.00"), "EUR", at(30)),
        DealUpdate("D1", at(20), amount=Decimal("250.00")),
        StageChange("D1", "ana", Decimal("150.00"), "EUR", at(5)),
    ]
    for order in orders(changes):
        written = fold_deals(known, order, {})
        assert written == {"D1": deal("D1", territory_id="de", owner_id="bo", amount=Decimal("300.00"),
                                      changed_at=at(30))}
        assert {**known, **written} == one_by_one_deals(known, order, {})


def test_the_last_quota_stated_per_rep_and_period_is_kept() -> None:
    changes = [QuotaChange("ana", "2026-Q4", Decimal("1000.00"), "EUR"),
               QuotaChange("bo", "2026-Q4", Decimal("500.00"), "EUR"),
               QuotaChange("ana", "2026-Q4", Decimal("2000.00"), "EUR"),
               QuotaChange("ana", "2026-11", Decimal("700.00"), "EUR")]
    assert fold_quotas(changes) == {("ana", "2026-Q4"): changes[2], ("bo", "2026-Q4"): changes[1],
                                    ("ana", "2026-11"): changes[3]}


def test_a_batch_routes_the_leads_it_sees_created_first_and_the_book_does_not_keep() -> None:
    changes = [NewLead("L2", {}, AT), StatusChange("L3", "new", "working", at(1)), NewLead("L3", {}, AT),
               NewLead("L1", {}, AT), NewLead("L2", {}, AT), NewLead("L4", {}, AT)]
    assert leads_to_route({"L1"}, changes) == ["L2", "L4"]
