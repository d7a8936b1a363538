"""Forecast's two views of crediting (shared.crediting), hand-computed: owner and splits, a rep with a quota and
no deals, and the owner-follows rule for deals without splits."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from services.forecast.domain.deals import DealChange
from services.forecast.domain.methods import Context, figures, group_rows
from services.forecast.domain.report import Organisation, report
from services.forecast.domain.transitions import Book
from shared.crediting import attainment_percent, split_credits

pytestmark = pytest.mark.unit
D = Decimal
CTX = Context({}, D(90), 0)
CREATED = dict(owner_id="rep-1", territory_id="t-west", company="Acme", amount=D("1000.00"), currency="USD",
               pipeline_id="p1", stage_id="s1", probability=10, category="pipeline",
               expected_close_date=date(2026, 11, 15), created_at=datetime(2026, 10, 5, tzinfo=UTC))
SPLIT_60_40 = (("rep-1", "60"), ("rep-2", "40"))
WON = dict(status="won", amount=D("1000.00"), currency="USD", owner_id="rep-1",
           closed_at=datetime(2026, 11, 2, tzinfo=UTC))


def closed_won(book: Book, dimension: str) -> dict[str, Decimal]:
    leaves = {k: figures(rows, CTX) for k, rows in group_rows(book.records(["2026-11"], dimension)).items()}
    return {group: f.closed_won for (group, _), f in leaves.items()}


def test_the_split_rounding_matches_compensation() -> None:
    # 100.01 × 33.33% = 33.333333 → 33.33; × 33.34% = 33.343334 → 33.34 (half-even to the cent, per deal)
    assert split_credits(D("100.01"), "rep-1", (("a", D("33.33")), ("b", D("33.33")), ("c", D("33.34")))) == [
        ("a", D("33.33")), ("b", D("33.33")), ("c", D("33.34"))]
    assert split_credits(D("500.00"), "rep-1", ()) == [("rep-1", D("500.00"))]  # no splits: the owner 100%
    # 1,500 of a 1,200 quota = 125%; 1,000 of 3,000 = 33.3333...% → 33.3333
    assert attainment_percent(D("1500.00"), D("1200.00")) == D("125.0000")
    assert attainment_percent(D("1000.00"), D("3000.00")) == D("33.3333")
    assert attainment_percent(D("1000.00"), None) is None


def test_owner_view_credits_the_whole_deal_and_splits_view_each_share() -> None:
    book = Book()
    book.take(DealChange("created", "d1", 1, {**CREATED, "splits": SPLIT_60_40}))
    book.take(DealChange("closed", "d1", 2, {**WON, "splits": SPLIT_60_40}))
    assert closed_won(book, "rep") == {"rep-1": D("1000.00")}
    # 1,000 × 60% = 600, × 40% = 400
    assert closed_won(book, "split") == {"rep-1": D("600.00"), "rep-2": D("400.00")}
    # a split change on the won deal: 1,000 × 25% = 250, × 75% = 750
    book.take(DealChange("updated", "d1", 3, {"splits": (("rep-1", "25"), ("rep-3", "75"))}))
    assert closed_won(book, "split") == {"rep-1": D("250.00"), "rep-3": D("750.00")}
    # amount change: 2,000 × 25% = 500, × 75% = 1,500
    book.take(DealChange("updated", "d1", 4, {"amount": D("2000.00"), "currency": "USD"}))
    assert closed_won(book, "split") == {"rep-1": D("500.00"), "rep-3": D("1500.00")}
    assert closed_won(book, "rep") == {"rep-1": D("2000.00")}


def test_a_deal_without_splits_follows_its_owner_and_explicit_splits_stay() -> None:
    book = Book()
    # pipeline states the owner's 100% on every deal without splits: it is no split, so the credit moves
    book.take(DealChange("created", "d1", 1, {**CREATED, "splits": (("rep-1", "100"),)}))
    book.take(DealChange("updated", "d1", 2, {"owner_id": "rep-2"}))
    book.take(DealChange("closed", "d1", 3, {**WON, "owner_id": "rep-2", "splits": (("rep-2", "100"),)}))
    assert closed_won(book, "split") == {"rep-2": D("1000.00")}
    book.take(DealChange("created", "d2", 1, {**CREATED, "splits": (("rep-3", "100"),)}))
    book.take(DealChange("updated", "d2", 2, {"owner_id": "rep-2"}))  # rep-3 keeps the explicit 100%
    book.take(DealChange("closed", "d2", 3, {**WON, "owner_id": "rep-2"}))
    assert closed_won(book, "split") == {"rep-2": D("1000.00"), "rep-3": D("1000.00")}


def test_a_rep_with_a_quota_and_no_deals_has_a_zero_row_and_their_team_rolls_it_up() -> None:
    org = Organisation(team_of={"rep-1": "west", "rep-9": "west"}, team_parent={"west": "amer", "amer": None})
    book = Book()
    book.take(DealChange("created", "d1", 1, CREATED))
    book.take(DealChange("closed", "d1", 2, WON))
    leaves = {k: figures(rows, CTX) for k, rows in group_rows(book.records(["2026-11"], "split")).items()}
    quotas = {"rep-1": (D("4000.00"), "USD"), "rep-9": (D("5000.00"), "USD")}
    by_rep = {ln.group: ln for ln in report(leaves, "rep", org, quotas)}
    assert by_rep["rep-9"].figures.closed_won == D(0) and by_rep["rep-9"].figures.weighted == D(0)
    assert by_rep["rep-9"].quota == D("5000.00")
    assert attainment_percent(by_rep["rep-9"].figures.closed_won, by_rep["rep-9"].quota) == D("0.0000")
    by_team = {ln.group: ln for ln in report(leaves, "team", org, quotas)}
    # west and amer: 1,000 won against 4,000 + 5,000 = 9,000 → 11.1111%
    assert (by_team["amer"].figures.closed_won, by_team["amer"].quota) == (D("1000.00"), D("9000.00"))
    assert attainment_percent(by_team["west"].figures.closed_won, by_team["west"].quota) == D("11.1111")
