"""Capturing a batch of incoming leads (one from the API, a webhook's, or a CSV chunk): clean, score, dedupe.

A lead whose email, or company domain plus name, is already known (stored, or earlier in the same batch) is
merged into that lead instead of being created again; each merge is recorded so it stays visible.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from services.leads.domain.leads import Fact, Lead, merge_fields, new_lead
from services.leads.domain.normalise import LeadFields, name_key, normalise_lead
from services.leads.domain.scoring import Scorer, ScoringRule, scorer
from services.leads.domain.sla import Band, due_at, with_deadline
from shared.errors import InvalidInput


@dataclass(frozen=True)
class Outcome:
    row: int
    outcome: str  # created | merged | rejected
    lead_id: str | None = None
    field: str | None = None
    reason: str | None = None


@dataclass
class CapturePlan:
    created: dict[str, Lead] = field(default_factory=dict)
    merged: dict[str, Lead] = field(default_factory=dict)  # stored leads changed by a merge
    merges: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # lead id, matched on, filled
    facts: list[tuple[str, Fact]] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)


def rescored(lead: Lead, rules: list[ScoringRule] | Scorer, bands: tuple[Band, ...]) -> Lead:
    total, explanation = (rules if callable(rules) else scorer(rules))(lead.fields())
    return with_deadline(replace(lead, score=total, score_explanation=explanation), bands)


class _Index:
    """Known leads by email and by (company domain, name); each key points at a lead id, so a merge that
    changes a lead replaces it in one place."""

    def __init__(self, known: Sequence[Lead]) -> None:
        self.leads: dict[str, Lead] = {}
        self.by_email: dict[str, str] = {}
        self.by_name: dict[tuple[str, str], str] = {}
        for lead in known:
            self.add(lead)

    def add(self, lead: Lead) -> None:
        self.leads[lead.id] = lead
        if lead.email:
            self.by_email.setdefault(lead.email, lead.id)
        if lead.company_domain and lead.name:
            self.by_name.setdefault((lead.company_domain, name_key(lead.name) or ""), lead.id)

    def match(self, fields: LeadFields) -> tuple[Lead, str] | None:
        if fields.email and fields.email in self.by_email:
            return self.leads[self.by_email[fields.email]], "email"
        if fields.company_domain and fields.name:
            lead_id = self.by_name.get((fields.company_domain, name_key(fields.name) or ""))
            if lead_id is not None:
                return self.leads[lead_id], "company_domain+name"
        return None

    def replace(self, old: Lead, new: Lead) -> None:
        self.add(new)  # same id: every key of the old lead now finds the new one; its new keys are added


def clean_rows(rows: Sequence[tuple[int, dict[str, Any]]]) -> tuple[list[tuple[int, LeadFields]], list[Outcome]]:
    good, bad = [], []
    for number, raw in rows:
        try:
            good.append((number, normalise_lead(raw)))
        except InvalidInput as exc:
            problem = exc.errors[0]
            bad.append(Outcome(number, "rejected", field=problem.field, reason=problem.message))
    return good, bad


def plan_capture(rows: Sequence[tuple[int, LeadFields]], known: Sequence[Lead], *, rules: list[ScoringRule],
                 bands: tuple[Band, ...], at: datetime, new_id: Callable[[], str]) -> CapturePlan:
    plan, index, score = CapturePlan(), _Index(known), scorer(rules)
    for number, fields in rows:
        hit = index.match(fields)
        if hit is None:
            total, explanation = score(fields)
            lead, facts = new_lead(new_id(), fields, at, total, explanation, due_at(at, total, bands))
            plan.created[lead.id] = lead
            plan.facts.extend((lead.id, f) for f in facts)
            index.add(lead)
            plan.outcomes.append(Outcome(number, "created", lead.id))
            continue
        existing, matched_on = hit
        merged, filled = merge_fields(existing, fields)
        merged = rescored(replace(merged, updated_at=at), score, bands)
        (plan.created if existing.id in plan.created else plan.merged)[existing.id] = merged
        index.replace(existing, merged)
        plan.merges.append((existing.id, matched_on, filled))
        plan.outcomes.append(Outcome(number, "merged", existing.id))
    return plan
