"""Counts lost, doubled and wrong figures across the services after a workload (expected 0/0/0), asking only
their HTTP APIs, never their databases.

A figure is one fact the workload caused, as one service shows it:
- compensation: each (won deal, split rep) has exactly one commission line of 10% of the rep's share;
- forecast: each won deal is known and `won` at its amount; each rep's closed-won in the period is the sum
  of their credited shares of won deals (the split share, the whole deal without splits), and their quota the
  one set;
- territory: each rep's `won` in the period's coverage is that same sum, their `open_leads` the number of
  leads routed to them;
- leads: each captured lead was routed to a rep of its territory exactly once.
Missing is lost, more than once (or a sum above the expected one) is doubled, present with other figures is
wrong.
"""
from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import httpx

from shared.testing import eventually
from tests.faults.workload import CURRENCY, OPS, RATE, REPS, TERRITORIES, Workload


@dataclass
class Verdict:
    lost: int = 0
    doubled: int = 0
    wrong: int = 0
    figures: int = 0
    details: list[str] = field(default_factory=list)

    @property
    def counts(self) -> tuple[int, int, int]:
        return self.lost, self.doubled, self.wrong

    def note(self, kind: str, what: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        self.details.append(f"{kind}: {what}")

    def compare(self, what: str, expected: Decimal | int, actual: Decimal | int | None) -> None:
        """One summed figure: below the expected one is lost, above is doubled."""
        self.figures += 1
        if actual is None or actual < expected:
            self.note("lost", f"{what}: expected {expected}, found {actual}")
        elif actual > expected:
            self.note("doubled", f"{what}: expected {expected}, found {actual}")

    def __str__(self) -> str:
        head = f"lost={self.lost} doubled={self.doubled} wrong={self.wrong} (of {self.figures} figures)"
        return "\n".join([head, *self.details[:40]])


async def check(workload: Workload) -> Verdict:
    verdict = Verdict()
    async with httpx.AsyncClient(headers=OPS, timeout=30) as http:
        await _compensation(http, workload, verdict)
        await _forecast(http, workload, verdict)
        holders = await _leads(http, workload, verdict)
        await _territory(http, workload, verdict, holders)
    return verdict


async def settled(workload: Workload, *, timeout: float = 240.0) -> Verdict:
    """Check until every figure is right (the services are eventually consistent), or the timeout says the
    run lost something; then print the counts."""

    async def probe() -> Verdict:
        try:
            return await check(workload)
        except httpx.HTTPError as exc:  # a service restarting: not an answer yet
            return Verdict(lost=-1, details=[f"unreachable: {exc!r}"])

    try:
        verdict = await eventually(probe, until=lambda v: v.counts == (0, 0, 0), timeout=timeout, interval=2.0)
    except AssertionError:
        verdict = await check(workload)
    print(f"fault checker: {verdict}")
    return verdict


async def _pages(http: httpx.AsyncClient, url: str, **params: str) -> list[dict]:
    items: list[dict] = []
    cursor: str | None = None
    while True:
        query = {**params, "limit": "500", **({"cursor": cursor} if cursor else {})}
        response = await http.get(url, params=query)
        response.raise_for_status()
        body = response.json()
        items.extend(body["items"])
        cursor = body.get("next_cursor")
        if not cursor:
            return items


def _expected_won(workload: Workload) -> dict[tuple[str, str], Decimal]:
    """Closed won per (rep, period) as every service credits it (docs/events.md, "Crediting"): each split rep
    their share, the owner the whole deal without splits — forecast's default view and territory coverage."""
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for deal in workload.won:
        for rep, _ in deal.splits:
            sums[(rep, deal.period)] += deal.credit(rep)
    return sums


async def _compensation(http: httpx.AsyncClient, workload: Workload, verdict: Verdict) -> None:
    lines = await _pages(http, f"{workload.cluster.url('compensation')}/v1/commissions")
    by_credit: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for line in lines:
        by_credit[(line["deal_id"], line["rep_id"])].append(line)
    expected = {(d.deal_id, rep): d.credit(rep) * RATE for d in workload.won for rep, _ in d.splits}
    for (deal_id, rep), amount in expected.items():
        verdict.figures += 1
        found = by_credit.get((deal_id, rep), [])
        if not found:
            verdict.note("lost", f"compensation: no commission for {deal_id}/{rep}")
        elif len(found) > 1:
            verdict.note("doubled", f"compensation: {len(found)} lines for {deal_id}/{rep}")
        elif (Decimal(found[0]["amount"]), found[0]["currency"]) != (amount.quantize(Decimal("0.01")), CURRENCY):
            verdict.note("wrong", f"compensation: {deal_id}/{rep} paid {found[0]['amount']}, expected {amount}")
    for key in by_credit.keys() - expected.keys():
        verdict.note("wrong", f"compensation: lines for {key}, which no won deal explains")


async def _forecast(http: httpx.AsyncClient, workload: Workload, verdict: Verdict) -> None:
    forecast = workload.cluster.url("forecast")

    async def one(deal_id: str) -> httpx.Response:
        return await http.get(f"{forecast}/v1/deals/{deal_id}/forecast")

    answers = await asyncio.gather(*(one(d.deal_id) for d in workload.won))
    for deal, answer in zip(workload.won, answers, strict=True):
        verdict.figures += 1
        if answer.status_code == 404:
            verdict.note("lost", f"forecast: deal {deal.deal_id} unknown")
            continue
        answer.raise_for_status()
        body = answer.json()
        if (body["status"], Decimal(body["amount"]), body["owner_id"]) != ("won", deal.amount, deal.owner_id):
            verdict.note("wrong", f"forecast: deal {deal.deal_id} is {body['status']} {body['amount']} "
                                  f"of {body['owner_id']}")
    periods = {p for _, p in workload.quotas} | {d.period for d in workload.won}
    won = _expected_won(workload)
    for period in sorted(periods):
        response = await http.get(f"{forecast}/v1/forecasts", params={"period": period, "group_by": "rep"})
        response.raise_for_status()
        rows = {(r["group"], r["currency"]): r for r in response.json()["items"]}
        for rep in REPS:
            row = rows.get((rep, CURRENCY))
            verdict.compare(f"forecast: closed won of {rep} in {period}", won.get((rep, period), Decimal(0)),
                            Decimal(row["closed_won"]) if row else Decimal(0))
            quota = workload.quotas.get((rep, period))
            if quota is not None:
                verdict.compare(f"forecast: quota of {rep} in {period}", quota,
                                Decimal(row["quota"]) if row and row["quota"] is not None else None)


async def _territory(http: httpx.AsyncClient, workload: Workload, verdict: Verdict,
                     holders: Counter[str | None]) -> None:
    territory = workload.cluster.url("territory")
    won = _expected_won(workload)
    periods = {d.period for d in workload.won} | {p for _, p in workload.quotas}
    for period in sorted(periods):
        response = await http.get(f"{territory}/v1/coverage", params={"period": period, "rollup": "false"})
        response.raise_for_status()
        reps = {r["rep_id"]: r for r in response.json()["reps"]}
        for rep in REPS:
            row = reps.get(rep, {})
            verdict.compare(f"territory: won of {rep} in {period}", won.get((rep, period), Decimal(0)),
                            Decimal(row.get("won", {}).get(CURRENCY, "0")))
            if workload.leads:
                verdict.compare(f"territory: open leads of {rep}", holders.get(rep, 0), row.get("open_leads", 0))


async def _leads(http: httpx.AsyncClient, workload: Workload, verdict: Verdict) -> Counter[str | None]:
    """Checks each lead's routing; answers how many leads each rep holds (territory must agree)."""
    leads = workload.cluster.url("leads")

    async def one(lead_id: str) -> httpx.Response:
        return await http.get(f"{leads}/v1/leads/{lead_id}")

    answers = await asyncio.gather(*(one(lead.lead_id) for lead in workload.leads))
    holders: Counter[str | None] = Counter()
    for lead, answer in zip(workload.leads, answers, strict=True):
        verdict.figures += 1
        answer.raise_for_status()
        body = answer.json()
        routed = body["assignments"]  # the workload assigns nothing by hand: each one is a routing
        holders[body["owner_id"]] += 1
        if not routed or body["owner_id"] is None:
            verdict.note("lost", f"leads: {lead.lead_id} never assigned")
        elif len(routed) > 1:
            verdict.note("doubled", f"leads: {lead.lead_id} assigned {len(routed)} times")
        elif body["owner_id"] not in TERRITORIES[lead.territory_id][1] or body["territory_id"] != lead.territory_id:
            verdict.note("wrong", f"leads: {lead.lead_id} went to {body['owner_id']} of {body['territory_id']}, "
                                  f"expected a rep of {lead.territory_id}")
    return holders
