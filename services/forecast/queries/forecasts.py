"""Answering forecast questions: the live aggregate rows (or a replay of the event history for `as_of`)
through the domain's methods, rollups and quota; what the caller may see of them."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.forecast.db import adjustments, queries
from services.forecast.db import org as org_db
from services.forecast.db.adjustments import Adjustment
from services.forecast.domain.access import visible_groups
from services.forecast.domain.ages import age_bands
from services.forecast.domain.cells import AGES, STAGES, TOTALS
from services.forecast.domain.methods import (
    Context,
    Figures,
    MethodSettings,
    Record,
    StageRecord,
    average_cycle,
    figures,
    group_rows,
)
from services.forecast.domain.periods import FiscalCalendar, day_number
from services.forecast.domain.quotas import Quota, candidates, quota_for
from services.forecast.domain.report import Line, Organisation, report
from services.forecast.domain.rollup import Node, adjusted_teams
from services.forecast.queries.history import replay
from shared.db.uow import UnitOfWork
from shared.http.auth import Principal
from shared.visibility import scope_of


@dataclass(frozen=True)
class Question:
    period: str
    group_by: str
    today: datetime
    calendar: FiscalCalendar
    settings: MethodSettings
    as_of: datetime | None = None
    method: str | None = None  # only this method's figure is wanted (None: every method's)
    crediting: str = "splits"  # splits: each rep their share (what quota counts); owner: the whole deal

    @property
    def dimension(self) -> str:
        """The dimension of aggregate rows the groups are read from (reps and teams are read from reps)."""
        if self.group_by in ("rep", "team"):
            return "split" if self.crediting == "splits" else "rep"
        return self.group_by

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of aggregate row the wanted figures read (totals always: closed won, open pipeline)."""
        extra = {"historical": (STAGES,), "cycle_length": (AGES,), None: (STAGES, AGES)}
        return (TOTALS, *extra.get(self.method, ()))


@dataclass(frozen=True)
class State:
    """What a forecast is computed from: aggregate rows, win records, won cycles and quotas."""

    records: list[Record]
    stages: dict[tuple[str, str], StageRecord]
    cycles: tuple[int, int]
    quotas: dict[str, tuple[Decimal, str]]
    organisation: Organisation | None = None  # None: today's (from the database)


async def live_state(session: AsyncSession, months: list[str], dimension: str, q: Question) -> State:
    cycles = await queries.won_cycles(session)
    cap = Decimal(q.settings.cycle_cap_percent) / 100
    bands = age_bands(q.today.date(), average_cycle(*cycles, q.settings), cap)
    records = await queries.period_records(session, months, dimension, q.kinds, bands)
    quotas = await org_db.quotas_in(session, candidates(q.period, q.calendar))
    return State(records, await queries.stage_book(session), cycles, _rep_quotas(quotas, q))


async def past_state(session: AsyncSession, months: list[str], dimension: str, q: Question,
                     as_of: datetime) -> State:
    past = await replay(session, as_of)
    return State(past.book.records(months, dimension), past.book.stages, (past.book.cycle_days, past.book.won_deals),
                 _rep_quotas(past.quotas, q), past.organisation)


def _rep_quotas(by_rep: dict[str, dict[str, Quota]], q: Question) -> dict[str, Quota]:
    found = {rep: quota_for(q.period, set_for, q.calendar) for rep, set_for in by_rep.items()}
    return {rep: quota for rep, quota in found.items() if quota is not None}


def context(state: State, q: Question) -> Context:
    when = q.as_of or q.today
    return Context(state.stages, average_cycle(*state.cycles, q.settings), day_number(when.date()), q.settings)


async def forecast_lines(session: AsyncSession, q: Question) -> list[Line]:
    months = q.calendar.months_in(q.period)
    dimension = q.dimension
    state = (await past_state(session, months, dimension, q, q.as_of) if q.as_of
             else await live_state(session, months, dimension, q))
    ctx = context(state, q)
    leaves: dict[tuple[str, str], Figures] = {k: figures(rows, ctx) for k, rows in group_rows(state.records).items()}
    return report(leaves, q.group_by, state.organisation or await org_db.organisation(session), state.quotas)


async def rolled_adjustments(session: AsyncSession, q: Question, teams: list[Line],
                             latest: dict[tuple[str, str], Adjustment],
                             org: Organisation) -> dict[tuple[str, str], Decimal]:
    """A team's adjusted forecast rolled up from the adjustments of its sub-teams and reps (its own wins)."""
    reps = await forecast_lines(session, replace(q, group_by="rep"))
    rep_latest = await adjustments.latest(session, q.period, "rep", q.method or "weighted")
    out: dict[tuple[str, str], Decimal] = {}
    for currency in {ln.currency for ln in teams} | {c for _, c in rep_latest} | {c for _, c in latest}:
        forecast: dict[Node, Decimal] = {("team", ln.group): _cents(ln.figures.forecast(q.method or "weighted"))
                                         for ln in teams if ln.currency == currency}
        forecast |= {("rep", ln.group): _cents(ln.figures.forecast(q.method or "weighted"))
                     for ln in reps if ln.currency == currency}
        adjusted: dict[Node, Decimal] = {("team", g): a.amount for (g, c), a in latest.items() if c == currency}
        adjusted |= {("rep", g): a.amount for (g, c), a in rep_latest.items() if c == currency}
        for team, amount in adjusted_teams(forecast, adjusted, org.team_parent, org.team_of).items():
            out[(team, currency)] = amount
    return out


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


@dataclass(frozen=True)
class ForecastAnswer:
    """The lines the caller may see, with each group's latest adjustment and (teams) the adjustments rolled up."""

    lines: list[Line]
    latest: dict[tuple[str, str], Adjustment]
    rolled: dict[tuple[str, str], Decimal]


async def read_forecast(uow: UnitOfWork, who: Principal, q: Question) -> ForecastAnswer:
    async with uow:
        org = await org_db.organisation(uow.session)
        visible = visible_groups(scope_of(who, org.team_parent), who.has_any("manager"), q.group_by, org)
        found = await forecast_lines(uow.session, q)
        latest = await adjustments.latest(uow.session, q.period, q.group_by, q.method or "weighted")
        rolled = await rolled_adjustments(uow.session, q, found, latest, org) if q.group_by == "team" else {}
    return ForecastAnswer([ln for ln in found if visible is None or ln.group in visible], latest, rolled)
