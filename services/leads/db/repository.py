"""Loading, finding, listing and saving leads; the version column turns a concurrent write into a conflict."""
from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TypedDict, cast

from sqlalchemy import (
    CursorResult,
    Select,
    String,
    and_,
    any_,
    bindparam,
    func,
    insert,
    or_,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from services.leads.db.models import lead_assignments, lead_merges, leads, reps
from services.leads.domain.funnel import FunnelRow
from services.leads.domain.leads import Lead
from services.leads.domain.normalise import LeadFields, name_key
from shared.errors import NotFoundError, StaleWrite
from shared.visibility import EVERYTHING, Scope

_LEAD_FIELDS = tuple(f.name for f in fields(Lead))


def to_lead(row: Any) -> Lead:
    m = row._mapping
    values = {k: m[k] for k in _LEAD_FIELDS}
    values["score_explanation"] = tuple(values["score_explanation"] or ())
    return Lead(**values)


def columns(lead: Lead) -> dict[str, Any]:
    values = {k: getattr(lead, k) for k in _LEAD_FIELDS}
    values["score_explanation"] = list(lead.score_explanation)
    values["name_key"] = name_key(lead.name)
    return values


async def find_lead(session: AsyncSession, lead_id: str, *, for_update: bool = False) -> Lead | None:
    query = select(leads).where(leads.c.id == lead_id)
    row = (await session.execute(query.with_for_update() if for_update else query)).first()
    return None if row is None else to_lead(row)


async def get_lead(session: AsyncSession, lead_id: str, *, for_update: bool = False) -> Lead:
    lead = await find_lead(session, lead_id, for_update=for_update)
    if lead is None:
        raise NotFoundError(f"lead {lead_id} does not exist")
    return lead


async def find_leads(session: AsyncSession, lead_ids: Collection[str], *, for_update: bool = False) -> dict[str, Lead]:
    """These leads (those that exist) in one query; locked in id order, so two batches wait, not deadlock."""
    if not lead_ids:
        return {}
    query = select(leads).where(leads.c.id.in_(sorted(lead_ids))).order_by(leads.c.id)
    rows = await session.execute(query.with_for_update() if for_update else query)
    return {lead.id: lead for lead in map(to_lead, rows)}


def _dedupe_condition(candidates: Sequence[LeadFields]) -> Any:
    emails = {c.email for c in candidates if c.email}
    keys = {(c.company_domain, name_key(c.name)) for c in candidates if c.company_domain and c.name}
    clauses = []
    if emails:
        clauses.append(leads.c.email.in_(emails))
    if keys:
        clauses.append(tuple_(leads.c.company_domain, leads.c.name_key).in_(keys))
    return or_(*clauses) if clauses else None


async def known_duplicates(session: AsyncSession, candidates: Sequence[LeadFields]) -> list[Lead]:
    """The stored leads any of these could be a duplicate of (same email, or same company domain and name)."""
    if session.get_bind().dialect.name == "postgresql":
        return await _known_duplicates_pg(session, candidates)
    condition = _dedupe_condition(candidates)
    if condition is None:
        return []
    rows = await session.execute(select(leads).where(condition).order_by(leads.c.created_at, leads.c.id))
    return [to_lead(r) for r in rows]


def _known_statement() -> Select[Any]:
    """Built once: two index lookups with array parameters, so a batch of thousands stays one short statement
    (and a single lead costs no statement building)."""
    arrays = {name: bindparam(name, type_=ARRAY(String)) for name in ("emails", "domains", "names")}
    keys = select(func.unnest(arrays["domains"]).label("d"), func.unnest(arrays["names"]).label("n")).subquery("k")
    by_email = select(leads).where(leads.c.email == any_(arrays["emails"]))
    by_name = select(leads).join(keys, and_(leads.c.company_domain == keys.c.d, leads.c.name_key == keys.c.n))
    known = union_all(by_email, by_name).subquery("known")
    return select(known).order_by(known.c.created_at, known.c.id)


_KNOWN = _known_statement()


async def _known_duplicates_pg(session: AsyncSession, candidates: Sequence[LeadFields]) -> list[Lead]:
    pairs = sorted({(c.company_domain, name_key(c.name) or "") for c in candidates if c.company_domain and c.name})
    rows = await session.execute(_KNOWN, {"emails": sorted({c.email for c in candidates if c.email}),
                                          "domains": [d for d, _ in pairs], "names": [n for _, n in pairs]})
    found: dict[str, Lead] = {}
    for row in rows:
        found.setdefault(row.id, to_lead(row))  # a lead matched by email and by name comes twice
    return list(found.values())


async def save_lead(session: AsyncSession, lead: Lead, *, expected_version: int) -> None:
    result = await session.execute(update(leads).where(leads.c.id == lead.id, leads.c.version == expected_version)
                                   .values(columns(lead)))
    if cast(CursorResult[Any], result).rowcount != 1:
        raise StaleWrite(f"lead {lead.id} was changed by someone else meanwhile; reload it and retry")


async def record_assignment(session: AsyncSession, lead_id: str, rep_id: str | None, previous: str | None,
                            territory_id: str | None, reason: str, at: datetime) -> None:
    await session.execute(insert(lead_assignments).values(
        lead_id=lead_id, rep_id=rep_id, previous_rep_id=previous, territory_id=territory_id, reason=reason,
        assigned_at=at))


class Merge(TypedDict):
    """A duplicate merged into the lead: when, from where, matched how, and the blanks it filled."""

    merged_at: datetime
    origin: str
    matched_on: str
    filled: dict[str, Any]


class Assignment(TypedDict):
    """One owner change of the lead (rep_id None: nobody holds it)."""

    rep_id: str | None
    previous_rep_id: str | None
    territory_id: str | None
    reason: str
    assigned_at: datetime


async def merges_of(session: AsyncSession, lead_id: str) -> list[Merge]:
    m = lead_merges.c
    rows = await session.execute(select(m.merged_at, m.origin, m.matched_on, m.filled)
                                 .where(m.lead_id == lead_id).order_by(m.id))
    return [Merge(merged_at=r.merged_at, origin=r.origin, matched_on=r.matched_on, filled=r.filled) for r in rows]


async def assignments_of(session: AsyncSession, lead_id: str) -> list[Assignment]:
    a = lead_assignments.c
    rows = await session.execute(select(a.rep_id, a.previous_rep_id, a.territory_id, a.reason, a.assigned_at)
                                 .where(a.lead_id == lead_id).order_by(a.id))
    return [Assignment(rep_id=r.rep_id, previous_rep_id=r.previous_rep_id, territory_id=r.territory_id,
                       reason=r.reason, assigned_at=r.assigned_at) for r in rows]


@dataclass(frozen=True)
class LeadFilter:
    status: str | None = None
    owner_id: str | None = None
    territory_id: str | None = None
    source: str | None = None
    min_score: int | None = None
    max_score: int | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


EVERY_LEAD = EVERYTHING  # no caller's view: every lead (rescoring, sweeping)


def visible(query: Select[Any], scope: Scope) -> Select[Any]:
    """The leads the scope admits: the caller's own, and those of the reps of the teams it covers."""
    if scope.everything:
        return query
    team_reps = select(reps.c.rep_id).where(reps.c.team_id.in_(scope.team_ids))
    return query.where(or_(leads.c.owner_id == (scope.rep_id or ""), leads.c.owner_id.in_(team_reps)))


def filtered(query: Select[Any], f: LeadFilter) -> Select[Any]:
    for name in ("status", "owner_id", "territory_id", "source"):
        if getattr(f, name) is not None:
            query = query.where(leads.c[name] == getattr(f, name))
    if f.min_score is not None:
        query = query.where(leads.c.score >= f.min_score)
    if f.max_score is not None:
        query = query.where(leads.c.score <= f.max_score)
    if f.created_from is not None:
        query = query.where(leads.c.created_at >= f.created_from)
    if f.created_to is not None:
        query = query.where(leads.c.created_at < f.created_to)
    return query


async def list_leads(session: AsyncSession, f: LeadFilter, scope: Scope,
                     after: tuple[datetime, str] | None, limit: int) -> list[Lead]:
    """Newest first, keyed by (created_at, id) so a page boundary never skips or repeats a lead."""
    query = visible(filtered(select(leads), f), scope)
    if after is not None:
        at, lead_id = after
        query = query.where(or_(leads.c.created_at < at, and_(leads.c.created_at == at, leads.c.id < lead_id)))
    rows = await session.execute(query.order_by(leads.c.created_at.desc(), leads.c.id.desc()).limit(limit))
    return [to_lead(r) for r in rows]


async def due_for_sla(session: AsyncSession, now: datetime, limit: int) -> list[str]:
    rows = await session.execute(select(leads.c.id).where(
        leads.c.status == "new", leads.c.sla_breached_at.is_(None), leads.c.sla_due_at <= now)
        .order_by(leads.c.sla_due_at).limit(limit))
    return [r[0] for r in rows]


async def funnel_rows(session: AsyncSession, start: datetime, end: datetime, scope: Scope) -> list[FunnelRow]:
    names = ("status", "source", "owner_id", "territory_id", "created_at", "first_touched_at", "sla_breaches")
    query = select(*(leads.c[n] for n in names)).where(leads.c.created_at >= start, leads.c.created_at < end)
    return [FunnelRow(**r._mapping) for r in await session.execute(visible(query, scope))]
