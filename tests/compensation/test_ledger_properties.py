"""The ledger equals the plan applied to the final facts, whatever happened on the way.

Random histories of closes, losses, reopens, re-closes, amount, currency and split changes, quota changes,
plan versions and exchange-rate corrections go through the real service (its dispatcher, inbox and sequence
checks, its API), interleaved across deals and with earlier events redelivered after later ones. An oracle
then applies the plan from scratch to the facts as they finally stand (the same `calculate_period` the ledger
and the simulator use, fed from the test's own record of the facts, not from the service's tables): every
rep's total must be equal to the cent.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.compensation.domain.calculation import DealShare
from services.compensation.domain.commission import convert, split_share
from services.compensation.domain.plans import parse_terms
from services.compensation.domain.recalculation import Credit, calculate_period, period_total
from shared.events import catalog as ev
from shared.testing import build_event
from shared.testing.harness import RunningService
from tests.compensation.conftest import OPS

pytestmark = pytest.mark.embedded
RATE_OF = {"marginal": ("0.10", "0.15"), "retro": ("0.07", "0.11")}
DAYS = [date(2026, 10, 5), date(2026, 11, 10), date(2026, 11, 20), date(2026, 12, 1)]
SPLITS = [(("ana", "100"),), (("ana", "60"), ("bo", "40")), (("bo", "100"),), (("bo", "33.33"), ("ana", "66.67"))]
QUOTAS = ["50000.00", "100000.00", "150000.00"]
_examples = itertools.count()
RATES: dict[date, D] = {}  # EUR -> USD by effective day: the rate table is one for all examples in the database


def terms_json(mode: str, top_rate: str) -> dict[str, Any]:
    floor = "100" if mode == "marginal" else "50"
    return {"currency": "USD", "period_kind": "quarter", "cap_per_deal": "9000", "components": [
        {"kind": "tiers", "name": "quota", "mode": "retroactive" if mode == "retro" else "marginal",
         "tiers": [{"from": "0", "rate": RATE_OF[mode][0]}, {"from": floor, "rate": top_rate}]},
        {"kind": "spif", "name": "big", "amount": "333.33", "criteria": {"min_amount": "50000"}}]}


@dataclass
class Deal:
    status: str = "open"
    amount: D = D(0)
    currency: str = "USD"
    splits: tuple[tuple[str, str], ...] = ()
    closed_at: datetime | None = None
    sequence: int = 0


@dataclass
class Facts:
    """What really happened, as the producer knows it: the oracle's input."""
    mode: str
    deals: dict[str, Deal] = field(default_factory=dict)
    quotas: dict[str, D] = field(default_factory=dict)
    versions: list[tuple[date, dict[str, Any]]] = field(default_factory=list)

    def expected(self, rep: str) -> D:
        credits = []
        for deal_id, deal in self.deals.items():
            percent = dict(deal.splits).get(rep)
            if deal.status != "won" or percent is None or deal.closed_at is None:
                continue
            day = deal.closed_at.date()
            rate = D(1) if deal.currency == "USD" else self._rate(day)
            if rate is None:
                continue  # waits for a rate: paid nothing yet
            version, raw = max((v for v in enumerate(self.versions) if v[1][0] <= day), key=lambda v: (v[1][0], v[0]))
            share = DealShare(deal_id, rep, day, convert(deal.amount, rate), D(percent),
                              convert(split_share(deal.amount, D(percent)), rate))
            credits.append(Credit(share, deal.closed_at, "p", version + 1, parse_terms(raw[1])))
        return period_total(calculate_period(credits, self.quotas[rep]))

    def _rate(self, day: date) -> D | None:
        known = [d for d in RATES if d <= day]
        return RATES[max(known)] if known else None


deal_ops = st.tuples(st.sampled_from(["won", "won", "lost", "reopen", "amount", "splits"]),
                     st.sampled_from(["d1", "d2", "d3"]),
                     st.decimals(min_value=D("1000"), max_value=D("120000"), places=2),
                     st.integers(0, len(SPLITS) - 1), st.integers(0, len(DAYS) - 1), st.booleans())
other_ops = st.tuples(st.sampled_from(["quota", "version", "rate", "redeliver"]), st.sampled_from(["ana", "bo"]),
                      st.integers(0, 2), st.integers(0, 99))
histories = st.lists(st.one_of(deal_ops, other_ops), min_size=1, max_size=18)


async def _deliver(service: RunningService, event_type: str, data: Any, subject: str, seq: int,
                   sent: list[bytes]) -> None:
    raw = build_event(event_type, data, subject=subject, sequence=seq).model_dump_json().encode()
    sent.append(raw)
    await service.runtime.dispatcher.dispatch(raw)


async def _deal_op(service: RunningService, facts: Facts, op: tuple, n: int, sent: list[bytes]) -> None:
    kind, name, amount, split_no, day_no, euro = op
    deal_id, deal = f"{name}-{n}", facts.deals.setdefault(f"{name}-{n}", Deal())
    splits = tuple((f"{rep}-{n}", p) for rep, p in SPLITS[split_no])
    seq, deal.sequence = deal.sequence + 1, deal.sequence + 1
    if kind == "won" or (kind == "lost" and deal.status == "open"):
        deal.status, deal.amount, deal.splits = kind, amount, splits
        deal.currency = "EUR" if euro else "USD"
        deal.closed_at = datetime.combine(DAYS[day_no], datetime.min.time(), UTC) + timedelta(hours=int(name[1]))
        await _deliver(service, "coxswain.deal.closed.v1", ev.DealClosed(
            deal_id=deal_id, outcome=kind, amount=amount, currency=deal.currency, owner_id=splits[0][0],  # type: ignore[arg-type]
            splits=[ev.Split(rep_id=r, percent=D(p)) for r, p in splits], created_at=deal.closed_at,
            closed_at=deal.closed_at), deal_id, seq, sent)
    elif kind == "lost" or kind == "reopen":
        deal.status = "lost" if kind == "lost" else "open"
        if kind == "lost":
            await _deliver(service, "coxswain.deal.closed.v1", ev.DealClosed(
                deal_id=deal_id, outcome="lost", amount=deal.amount, currency=deal.currency,  # type: ignore[arg-type]
                owner_id=deal.splits[0][0], created_at=deal.closed_at, closed_at=deal.closed_at), deal_id, seq, sent)
        else:
            await _deliver(service, "coxswain.deal.reopened.v1", ev.DealReopened(
                deal_id=deal_id, stage_id="s1", reopened_at=datetime(2026, 11, 20, tzinfo=UTC)), deal_id, seq, sent)
    elif kind == "amount":
        deal.amount = amount
        await _deliver(service, "coxswain.deal.updated.v1", ev.DealUpdated(deal_id=deal_id, amount=amount),
                       deal_id, seq, sent)
    else:
        deal.splits = splits
        await _deliver(service, "coxswain.deal.updated.v1", ev.DealUpdated(
            deal_id=deal_id, splits=[ev.Split(rep_id=r, percent=D(p)) for r, p in splits]), deal_id, seq, sent)


async def _other_op(service: RunningService, facts: Facts, op: tuple, n: int, sent: list[bytes]) -> None:
    kind, rep, pick, which = op
    client = service.client
    if kind == "quota":
        facts.quotas[f"{rep}-{n}"] = D(QUOTAS[pick])
        r = await client.put(f"/v1/quotas/{rep}-{n}/2026-Q4", headers=OPS,
                             json={"amount": QUOTAS[pick], "currency": "USD"})
    elif kind == "version":
        day = DAYS[1 + pick]
        raw = terms_json(facts.mode, ("0.20", "0.12", "0.18")[pick])
        facts.versions.append((day, raw))
        r = await client.post(f"/v1/plans/p-{n}/versions", headers=OPS, json={**raw, "effective_from": str(day)})
    elif kind == "rate":
        RATES[DAYS[pick]] = D(("1.08", "1.10", "0.95")[which % 3])
        r = await client.put(f"/v1/exchange-rates/EUR/USD/{DAYS[pick]}", headers=OPS,
                             json={"rate": str(RATES[DAYS[pick]])})
    else:
        if sent:  # an earlier event again, after later ones: refused as a duplicate
            await service.runtime.dispatcher.dispatch(sent[which % len(sent)])
        return
    assert r.status_code in (200, 201), r.text


async def _paid(service: RunningService, rep: str) -> D:
    r = await service.client.get("/v1/commissions", headers=OPS, params={"rep_id": rep, "limit": 500})
    assert r.status_code == 200 and r.json()["next_cursor"] is None
    return sum((D(x["amount"]) for x in r.json()["items"]), D("0.00"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories, mode=st.sampled_from(["marginal", "retro"]))
async def test_every_rep_is_paid_the_plan_applied_to_the_final_facts(compensation: RunningService, history: list,
                                                                      mode: str) -> None:
    n = next(_examples)  # each example its own plan, reps and deals in the one database
    facts = Facts(mode, quotas={f"ana-{n}": D("100000.00"), f"bo-{n}": D("100000.00")})
    first = terms_json(mode, RATE_OF[mode][1])
    facts.versions.append((date(2026, 1, 1), first))
    client = compensation.client
    r = await client.post("/v1/plans", headers=OPS, json={**first, "id": f"p-{n}", "name": "p",
                                                          "effective_from": "2026-01-01"})
    assert r.status_code == 201, r.text
    for rep in ("ana", "bo"):
        await client.post(f"/v1/plans/p-{n}/assignments", headers=OPS,
                          json={"rep_id": f"{rep}-{n}", "starts_on": "2026-01-01"})
        await client.put(f"/v1/quotas/{rep}-{n}/2026-Q4", headers=OPS, json={"amount": "100000.00", "currency": "USD"})
    sent: list[bytes] = []
    for op in history:
        if op[0] in ("quota", "version", "rate", "redeliver"):
            await _other_op(compensation, facts, op, n, sent)
        else:
            await _deal_op(compensation, facts, op, n, sent)
    for raw in sent:  # the whole history replayed: nothing changes
        await compensation.runtime.dispatcher.dispatch(raw)
    for rep in (f"ana-{n}", f"bo-{n}"):
        assert await _paid(compensation, rep) == facts.expected(rep), rep
