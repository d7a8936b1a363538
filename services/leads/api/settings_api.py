"""Ops' knobs: the scoring rules and the follow-up SLA policy, both stored; changing either rescores open leads."""
from __future__ import annotations

from fastapi import APIRouter

from services.leads import commands, queries
from services.leads.api.schemas import PolicyBody, RuleIn, RulesIn, RulesOut
from services.leads.domain.scoring import ScoringRule
from services.leads.domain.sla import SlaPolicy, bands_text, policy_of
from shared.http.deps import Operator, Reader, Uow

router = APIRouter(tags=["configuration"])


def _out(rules: list[ScoringRule], rescored: int | None = None) -> RulesOut:
    return RulesOut(rules=[RuleIn(id=r.id, field=r.field, op=r.op, value=r.value, points=r.points,
                                  description=r.description) for r in rules], rescored=rescored)


def _policy_out(policy: SlaPolicy) -> PolicyBody:
    return PolicyBody(bands=bands_text(policy.bands), breach_action=policy.breach_action)


@router.get("/scoring/rules", response_model=RulesOut)
async def read_rules(uow: Uow, _: Reader) -> RulesOut:
    return _out(await queries.scoring_rules(uow))


@router.put("/scoring/rules", response_model=RulesOut)
async def replace_rules(body: RulesIn, uow: Uow, _: Operator) -> RulesOut:
    """The whole rule set; every open lead is scored again (and its deadline moves with its band)."""
    rules = [ScoringRule(r.id, r.field, r.op, r.value, r.points, r.description) for r in body.rules]
    return _out(rules, await commands.replace_rules(uow, rules))


@router.get("/sla-policy", response_model=PolicyBody)
async def read_policy(uow: Uow, _: Reader) -> PolicyBody:
    return _policy_out(await queries.sla_policy(uow))


@router.put("/sla-policy", response_model=PolicyBody)
async def replace_policy(body: PolicyBody, uow: Uow, _: Operator) -> PolicyBody:
    return _policy_out(await commands.save_sla_policy(uow, policy_of(body.bands, body.breach_action)))
