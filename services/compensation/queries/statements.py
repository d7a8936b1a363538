"""Statements: a rep's period (its lines, totals, attainment, draw and the calculation a rep can check by hand)
and a manager's team view."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.compensation.db import ledger_repo, org, statements_repo
from services.compensation.db.statements_repo import Draw, LineRow
from services.compensation.domain.commission import attainment_percent
from services.compensation.domain.periods import kind_of
from services.compensation.domain.recalculation import LedgerLine, period_total
from services.compensation.domain.statements import grand_total, totals_by_component
from services.compensation.queries import calculation
from services.compensation.queries.access import ensure_sees_rep, ensure_sees_team
from shared.db.uow import UnitOfWork
from shared.http.auth import Principal
from shared.visibility import teams_under


@dataclass(frozen=True)
class Calculation:
    """The plan applied now, from scratch, to the period's credits; `paid` is every line written for the period,
    `difference` what is still to be appended (zero once the ledger has caught up)."""
    lines: list[LedgerLine]
    total: Decimal
    paid: Decimal
    difference: Decimal


@dataclass(frozen=True)
class Statement:
    rep_id: str
    period: str
    currency: str | None
    lines: list[LineRow]
    totals_by_component: dict[str, Decimal]
    total: Decimal
    quota: Decimal | None
    credited: Decimal
    attainment: Decimal | None
    payout: Decimal
    draw: Draw | None
    closed: bool
    calculation: Calculation


@dataclass(frozen=True)
class TeamRow:
    rep_id: str
    total: Decimal
    quota: Decimal | None
    attainment: Decimal | None


@dataclass(frozen=True)
class TeamStatement:
    team_id: str
    period: str
    reps: list[TeamRow]
    total: Decimal


async def rep_statement(uow: UnitOfWork, who: Principal, rep_id: str, period: str) -> Statement:
    kind_of(period)
    async with uow:
        await ensure_sees_rep(uow.session, who, rep_id)
        lines = await statements_repo.all_lines(uow.session, statements_repo.LineFilter([rep_id], period))
        total = grand_total(x.amount for x in lines)
        quota = await statements_repo.quota_amount(uow.session, rep_id, period)
        credited = await statements_repo.credited(uow.session, rep_id, period)
        return Statement(
            rep_id=rep_id, period=period, currency=lines[0].currency if lines else None, lines=lines,
            totals_by_component=totals_by_component((x.component, x.amount) for x in lines), total=total,
            quota=quota, credited=credited, attainment=attainment_percent(credited, quota), payout=total,
            draw=await statements_repo.draw_of(uow.session, rep_id),
            closed=period in await ledger_repo.closed_periods(uow.session),
            calculation=await _calculation(uow, rep_id, period))


async def _calculation(uow: UnitOfWork, rep_id: str, period: str) -> Calculation:
    expected = await calculation.period_calculation(uow, rep_id, period)
    paid = period_total(await ledger_repo.period_lines(uow.session, rep_id, period))
    return Calculation(expected, period_total(expected), paid, period_total(expected) - paid)


async def team_statement(uow: UnitOfWork, who: Principal, team_id: str, period: str) -> TeamStatement:
    """Each rep of the team and of the teams below it: what they earned in the period against quota."""
    kind_of(period)
    async with uow:
        await ensure_sees_team(uow.session, who, team_id)
        under = teams_under([team_id], await org.parent_links(uow.session))
        rows = [await _team_row(uow.session, rep_id, period) for rep_id in await org.members(uow.session, under)]
    return TeamStatement(team_id, period, rows, grand_total(r.total for r in rows))


async def _team_row(session: AsyncSession, rep_id: str, period: str) -> TeamRow:
    quota = await statements_repo.quota_amount(session, rep_id, period)
    credited = await statements_repo.credited(session, rep_id, period)
    return TeamRow(rep_id, await statements_repo.earned(session, rep_id, period), quota,
                   attainment_percent(credited, quota))
