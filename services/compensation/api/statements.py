"""/v1/statements: a rep's period (JSON or CSV) and a manager's team view."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Header, Query, Response

from services.compensation.api.schemas import (
    CalculatedLineOut,
    CalculationOut,
    DrawOut,
    LineOut,
    StatementOut,
    TeamRowOut,
    TeamStatementOut,
)
from services.compensation.queries import statements
from services.compensation.queries.statements import Statement
from shared.http.deps import Reader, Uow

router = APIRouter(prefix="/statements", tags=["statements"])
CSV_FIELDS = ("id", "period", "deal_id", "component", "kind", "base", "rate", "amount", "currency", "tier",
              "attainment_before", "attainment_after", "plan_id", "plan_version", "reason")
CALCULATED_FIELDS = ("component", "kind", "tier", "base", "rate", "amount", "attainment_before", "attainment_after")


def _statement(s: Statement) -> StatementOut:
    calculation = CalculationOut(
        lines=[CalculatedLineOut(deal_id=x.deal_id, plan_id=x.plan_id, plan_version=x.plan_version,
                                 **{k: getattr(x.line, k) for k in CALCULATED_FIELDS}) for x in s.calculation.lines],
        total=s.calculation.total, paid=s.calculation.paid, difference=s.calculation.difference)
    return StatementOut(
        rep_id=s.rep_id, period=s.period, currency=s.currency,
        lines=[LineOut.model_validate(x, from_attributes=True) for x in s.lines],
        totals_by_component=s.totals_by_component, total=s.total, quota=s.quota, credited=s.credited,
        attainment=s.attainment, payout=s.payout, draw=DrawOut(**asdict(s.draw)) if s.draw else None,
        closed=s.closed, calculation=calculation)


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
    found = await statements.team_statement(uow, who, team_id, period)
    return TeamStatementOut(team_id=found.team_id, period=found.period, total=found.total,
                            reps=[TeamRowOut(**asdict(r)) for r in found.reps])


@router.get("/{rep_id}/{period}", response_model=StatementOut,
            responses={200: {"content": {"text/csv": {}}}})
async def rep_statement(rep_id: str, period: str, uow: Uow, who: Reader,
                        accept: Annotated[str | None, Header()] = None,
                        format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None) -> Response | StatementOut:
    statement = _statement(await statements.rep_statement(uow, who, rep_id, period))
    if format == "csv" or (format is None and "text/csv" in (accept or "")):
        return Response(as_csv(statement), media_type="text/csv",
                        headers={"Content-Disposition": attachment(f"{rep_id}-{period}.csv")})
    return statement
