"""Everything coverage, balance and simulations look at, read in one transaction."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.territory.db import books
from services.territory.db import repository as repo
from services.territory.domain.coverage import DealFact, LeadFact, Quotas
from services.territory.domain.territories import Rep, Territory


@dataclass(frozen=True)
class Snapshot:
    territories: dict[str, Territory]
    reps: dict[str, Rep]
    leads: list[LeadFact]
    deals: list[DealFact]
    quotas: Quotas


async def load_snapshot(session: AsyncSession, period: str | None = None) -> Snapshot:
    """Without a period, no quotas (routing and plans do not need them)."""
    return Snapshot(await repo.all_territories(session), await repo.all_reps(session),
                    await books.lead_facts(session), await books.deal_facts(session),
                    await books.quotas_for(session, period) if period else {})
