"""Territory plans: a set of changes drafted (planning), simulated, then activated at once; the plan in
force before is archived. Only a draft may be edited; an archived plan is history."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from services.territory.domain.territories import Territory, build_territory, territory_json
from shared.errors import ConflictError, InvalidInput

TRANSITIONS = {"planning": {"active", "archived"}, "active": {"archived"}, "archived": set()}


class IllegalPlanTransition(ConflictError):
    pass


@dataclass(frozen=True)
class Plan:
    id: str
    name: str
    status: str  # planning | active | archived
    changes: dict[str, Any]  # {"upsert": [territory...], "remove": [territory id...]}
    created_at: datetime
    activated_at: datetime | None = None
    version: int = 1


def check_editable(plan: Plan) -> None:
    if plan.status != "planning":
        raise IllegalPlanTransition(f"plan {plan.id} is {plan.status}; only a plan in planning can be changed")


def transition(plan: Plan, status: str, at: datetime) -> Plan:
    if status not in TRANSITIONS[plan.status]:
        raise IllegalPlanTransition(f"plan {plan.id} is {plan.status} and cannot become {status}")
    return replace(plan, status=status, version=plan.version + 1,
                   activated_at=at if status == "active" else plan.activated_at)


@dataclass(frozen=True)
class Changes:
    upserts: tuple[Territory, ...]
    removals: tuple[str, ...]

    @classmethod
    def of(cls, body: dict[str, Any]) -> Changes:
        upserts = []
        for i, t in enumerate(body.get("upsert") or ()):
            try:
                upserts.append(build_territory(t["id"], t))
            except InvalidInput as bad:
                first = bad.errors[0]
                raise InvalidInput(f"upsert[{i}].{first.field}", first.message) from None
        ids = [t.id for t in upserts]
        if len(set(ids)) != len(ids):
            raise InvalidInput("upsert", "a territory appears more than once")
        return cls(tuple(upserts), tuple(body.get("remove") or ()))

    def to_json(self) -> dict[str, Any]:
        return {"upsert": [territory_json(t) for t in self.upserts], "remove": list(self.removals)}
