"""Ops' knobs: the scoring rules and the follow-up SLA policy, both stored; changing either rescores open leads."""
from __future__ import annotations

from fastapi import APIRouter

from services.leads import commands
from services.leads.api.deps import Ops, Reader, Uow
from services.leads.api.schemas import PolicyBody, RuleIn, RulesIn, RulesOut
from services.leads.db import org
from services.leads.domain.scoring import ScoringRule, validate_rules
from services.leads.domain.sla import bands_text, policy_of

router = APIRouter(tags=["configuration"])


def _out(rules: list[ScoringRule], rescored: int | None = None) -> RulesOut:
    return RulesOut(rules=[RuleIn(id=r.id, field=r.field, op=r.op, value=r.value, points=r.points,
                                  description=r.description) for r in rules], rescored=rescored)


@router.get("/scoring/rules", response_model=RulesOut)
async def read_rules(uow: Uow, _: Reader) -> RulesOut:
    async with uow:
        return _out(await org.load_rules(uow.session))


@router.put("/scoring/rules", response_model=RulesOut)
async def replace_rules(body: RulesIn, uow: Uow, _: Ops) -> RulesOut:
    """The whole rule set; every open lead is scored again (and its deadline moves with its band)."""
    rules = [ScoringRule(r.id, r.field, r.op, r.value, r.points, r.description) for r in body.rules]
    validate_rules(rules)
    async with uow:
        await org.replace_rules(uow.session, rules)
        return _out(rules, await commands.rescore_open_leads(uow))


@router.get("/sla-policy", response_model=PolicyBody)
async def read_policy(uow: Uow, _: Reader) -> PolicyBody:
    async with uow:
        policy = await org.load_policy(uow.session)
    return PolicyBody(bands=bands_text(policy.bands), breach_action=policy.breach_action)


@router.put("/sla-policy", response_model=PolicyBody)
async def replace_policy(body: PolicyBody, uow: Uow, _: Ops) -> PolicyBody:
    policy = policy_of(body.bands, body.breach_action)
    async with uow:
        await org.save_policy(uow.session, policy)
        await commands.rescore_open_leads(uow)
    return PolicyBody(bands=bands_text(policy.bands), breach_action=policy.breach_action)
