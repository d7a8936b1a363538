"""CRM webhook deliveries: upsert a deal by its external id; a repeated delivery changes nothing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import insert, select

from services.pipeline.commands import deals as commands
from services.pipeline.db import repository as repo
from services.pipeline.db.models import crm_deliveries
from services.pipeline.domain.deals import Deal
from shared.db.uow import UnitOfWork
from shared.errors import ConflictError


@dataclass(frozen=True)
class CrmDeal:
    event_id: str
    external_id: str
    name: str
    amount: Decimal
    currency: str
    owner_id: str
    company: str | None = None
    territory_id: str | None = None
    expected_close_date: date | None = None
    pipeline_id: str | None = None
    stage_id: str | None = None


async def sync_crm_deal(crm: CrmDeal, uow: UnitOfWork) -> tuple[Deal, bool]:
    """The deal the CRM describes, and whether this delivery was new (a replay is answered, not applied)."""
    seen = (await uow.session.execute(select(crm_deliveries.c.external_id)
                                      .where(crm_deliveries.c.event_id == crm.event_id))).first()
    if seen is not None:
        deal = await repo.deal_by(uow.session, external_id=seen.external_id)
        if deal is None:
            raise ConflictError(f"delivery {crm.event_id} was seen but its deal is gone")
        return deal, False
    await uow.session.execute(insert(crm_deliveries).values(event_id=crm.event_id, external_id=crm.external_id,
                                                            received_at=uow.clock.now()))
    actor = f"crm:{crm.event_id}"
    existing = await repo.deal_by(uow.session, external_id=crm.external_id)
    if existing is None:
        deal = await commands.place_deal(commands.CreateDeal(
            name=crm.name, amount=crm.amount, currency=crm.currency, owner_id=crm.owner_id, company=crm.company,
            territory_id=crm.territory_id, expected_close_date=crm.expected_close_date,
            pipeline_id=crm.pipeline_id, stage_id=crm.stage_id, external_id=crm.external_id, actor=actor), uow)
    else:
        changes = {k: getattr(crm, k) for k in ("name", "amount", "currency", "owner_id", "company", "territory_id",
                                                "expected_close_date")}
        deal = await commands.apply_update(existing, changes, None, actor, uow)
        if crm.stage_id and crm.stage_id != deal.stage_id and deal.is_open:
            deal = await commands.apply_move(deal, crm.stage_id, None, actor, uow)
    await uow.commit()
    return deal, True
