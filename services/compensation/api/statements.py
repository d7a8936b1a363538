"""/v1/statements: a rep's period (JSON or CSV) and a manager's team view."""
from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Header, Query, Response

from services.compensation.api.access import ensure_sees_rep, ensure_sees_team
from services.compensation.api.deps import Reader, Uow
from services.compensation.api.schemas import (
    CalculatedLineOut,
    CalculationOut,
    DrawOut,
    LineOut,
    StatementOut,
    TeamRowOut,
    TeamStatementOut,
)
from services.compensation.commands import ledger
from services.compensation.db import ledger_repo, org, statements_repo
from services.compensation.domain.commission import attainment_percent
from services.compensation.domain.periods import kind_of
from services.compensation.domain.recalculation import period_total
from shared.db.uow import UnitOfWork

router = APIRouter(prefix="/statements", tags=["statements"])
CSV_FIELDS = ("id", "period", "deal_id", "component", "kind", "base", "rate", "amount", "currency", "tier",
              "attainment_before", "attainment_after", "plan_id", "plan_version", "reason")
CALCULATED_FIELDS = ("component", "kind", "tier", "base", "rate", "amount", "attainment_before", "attainment_after")


async def build_statement(uow: UnitOfWork, rep_id: str, period: str) -> StatementOut:
    wanted = statements_repo.LineFilter([rep_id], period)
    lines = [LineOut.model_validate(r) for r in await statements_repo.lines(uow.session, wanted, None, 100_000)]
    by_component: dict[str, Decimal] = {}
    for x in lines:
        by_component[x.component] = by_component.get(x.component, Decimal("0.00")) + x.amount
    total = sum((x.amount for x in lines), Decimal("0.00"))
    quota = await statements_repo.quota_amount(uow.session, rep_id, period)
    credited = await statements_repo.credited(uow.session, rep_id, period)
    draw = await statements_repo.draw_of(uow.session, rep_id)
    return StatementOut(
        rep_id=rep_id, period=period, currency=lines[0].currency if lines else None, lines=lines,
        totals_by_component=by_component, total=total, quota=quota, credited=credited,
        attainment=attainment_percent(credited, quota), payout=total,
        draw=DrawOut(**draw) if draw else None, closed=period in await ledger_repo.closed_periods(uow.session),
        calculation=await _calculation(uow, rep_id, period))


async def _calculation(uow: UnitOfWork, rep_id: str, period: str) -> CalculationOut:
    expected = await ledger.period_calculation(uow, rep_id, period)
    paid = period_total(await ledger_repo.period_lines(uow.session, rep_id, period))
    lines = [CalculatedLineOut(deal_id=x.deal_id, plan_id=x.plan_id, plan_version=x.plan_version,
                               **{k: getattr(x.line, k) for k in CALCULATED_FIELDS}) for x in expected]
    return CalculationOut(lines=lines, total=period_total(expected), paid=paid,
                          difference=period_total(expected) - paid)


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def spreadsheet_safe(value: Any) -> str:
    """A cell a spreadsheet shows as text, never runs (OWASP CSV injection): text starting with = + - @ tab or CR
    gets a leading '. A plain decimal number (-1000.00, a reversal) is left as it is, so it stays a number:
    `-?digits[.digits]` can hold no formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def as_csv(statement: StatementOut) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")

    def write(cells: list[Any]) -> None:
        writer.writerow([spreadsheet_safe(c) for c in cells])

    write(list(CSV_FIELDS))
    for line in statement.lines:
        row = line.model_dump(mode="json")
        write([row[f] for f in CSV_FIELDS])
    writer.writerow([])
    for component, amount in statement.totals_by_component.items():
        write(["total", statement.period, "", component, "", "", "", amount, statement.currency])
    write(["payout", statement.period, "", "", "", "", "", statement.payout, statement.currency])
    return out.getvalue()


def attachment(filename: str) -> str:
    """Content-Disposition for any file name (RFC 6266): an ASCII fallback, and the exact name as RFC 5987
    `filename*` (percent-encoded UTF-8), so neither a non-Latin-1 character nor a CR/LF reaches the header."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get("/teams/{team_id}/{period}", response_model=TeamStatementOut)
async def team_statement(team_id: str, period: str, uow: Uow, who: Reader) -> TeamStatementOut:
    kind_of(period)
    ensure_sees_team(who, team_id)
    async with uow:
        rows = []
        for rep_id in await org.members(uow.session, frozenset({team_id})):
            quota = await statements_repo.quota_amount(uow.session, rep_id, period)
            credited = await statements_repo.credited(uow.session, rep_id, period)
            rows.append(TeamRowOut(rep_id=rep_id, total=await statements_repo.earned(uow.session, rep_id, period),
                                   quota=quota, attainment=attainment_percent(credited, quota)))
    return TeamStatementOut(team_id=team_id, period=period, reps=rows,
                            total=sum((r.total for r in rows), Decimal("0.00")))


@router.get("/{rep_id}/{period}", response_model=StatementOut,
            responses={200: {"content": {"text/csv": {}}}})
async def rep_statement(rep_id: str, period: str, uow: Uow, who: Reader,
                        accept: Annotated[str | None, Header()] = None,
                        format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None) -> Response | StatementOut:
    kind_of(period)
    async with uow:
        await ensure_sees_rep(uow.session, who, rep_id)
        statement = await build_statement(uow, rep_id, period)
    if format == "csv" or (format is None and "text/csv" in (accept or "")):
        return Response(as_csv(statement), media_type="text/csv",
                        headers={"Content-Disposition": attachment(f"{rep_id}-{period}.csv")})
    return statement
