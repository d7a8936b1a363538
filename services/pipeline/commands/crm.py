"""CRM webhook deliveries: upsert a deal by its external id; a repeated delivery changes nothing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.exc import IntegrityError

from services.pipeline.commands import deals
from services.pipeline.db import repository as repo
from services.pipeline.domain.deals import Deal
from shared.db.uow import UnitOfWork, command
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


@command
async def sync_crm_deal(uow: UnitOfWork, crm: CrmDeal) -> tuple[Deal, bool]:
    """The deal the CRM describes, and whether this delivery was new (a replay is answered, not applied)."""
    try:
        async with uow:
            seen = await repo.delivery_seen(uow.session, crm.event_id)
            if seen is not None:
                return await _already_applied(uow, crm.event_id, seen), False
            await repo.add_delivery(uow.session, crm.event_id, crm.external_id, uow.clock.now())
            deal = await _apply(uow, crm)
            await uow.commit()
            return deal, True
    except IntegrityError:  # the same delivery or external id being written by a concurrent request
        raise ConflictError(f"delivery {crm.event_id} is being applied concurrently; retry it") from None


async def _already_applied(uow: UnitOfWork, event_id: str, external_id: str) -> Deal:
    deal = await repo.deal_by(uow.session, external_id=external_id)
    if deal is None:
        raise ConflictError(f"delivery {event_id} was seen but its deal is gone")
    return deal


async def _apply(uow: UnitOfWork, crm: CrmDeal) -> Deal:
    actor = f"crm:{crm.event_id}"
    existing = await repo.deal_by(uow.session, external_id=crm.external_id)
    if existing is None:
        return await deals.place_deal(deals.CreateDeal(
            name=crm.name, amount=crm.amount, currency=crm.currency, owner_id=crm.owner_id, company=crm.company,
            territory_id=crm.territory_id, expected_close_date=crm.expected_close_date,
            pipeline_id=crm.pipeline_id, stage_id=crm.stage_id, external_id=crm.external_id, actor=actor), uow)
    changes = {k: getattr(crm, k) for k in ("name", "amount", "currency", "owner_id", "company", "territory_id",
                                            "expected_close_date")}
    deal = await deals.apply_update(existing, changes, None, actor, uow)
    if crm.stage_id and crm.stage_id != deal.stage_id and deal.is_open:
        deal = await deals.apply_move(deal, crm.stage_id, None, actor, uow)
    return deal
