"""A purpose-built service for testing the spine itself: it tallies every quota.set it handles, one row
per handled event, so a lost event is a missing row and a doubled one is an extra row."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from pydantic_settings import SettingsConfigDict
from sqlalchemy import Column, MetaData, String, Table, func, select

from shared.db.plumbing import plumbing_metadata
from shared.db.types import ExactDecimal
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent
from shared.events.catalog import QuotaSet
from shared.runtime import ServiceRuntime, ServiceSpec
from shared.settings import PlatformSettings, ServiceSettings
from shared.testing import build_event

metadata = MetaData()
tally = Table("tally", metadata, Column("event_id", String(64), nullable=False),
              Column("rep_id", String(64), nullable=False), Column("amount", ExactDecimal(20, 2), nullable=False))


class TallySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COXSWAIN_TALLY_")
    service: ClassVar[str] = "forecast"
    port: int = 0


async def record_quota(event: CloudEvent, uow: UnitOfWork) -> None:
    await uow.session.execute(tally.insert().values(event_id=str(event.id), rep_id=event.data.rep_id,
                                                    amount=event.data.amount))


def spec(name: str = "forecast") -> ServiceSpec:
    return ServiceSpec(name=name, metadata=metadata, handlers={"coxswain.quota.set.v1": record_quota},
                       consumes=("coxswain.compensation",), migrations_dir=Path("unused"))


def quota_event(rep: str, amount: int, sequence: int) -> CloudEvent:
    return build_event("coxswain.quota.set.v1", QuotaSet(rep_id=rep, period="2026-Q4", amount=Decimal(amount),
                                                         currency="EUR"), subject=rep, sequence=sequence)


@asynccontextmanager
async def tally_runtime(database_url: str, platform: PlatformSettings, *, name: str = "forecast",
                        consume: bool = True, **kwargs: object) -> AsyncIterator[ServiceRuntime]:
    runtime = ServiceRuntime(spec(name), TallySettings(database_url=database_url, platform=platform,
                                                       migrate_on_start=False), **kwargs)  # type: ignore[arg-type]
    async with runtime.engine.begin() as conn:
        await conn.run_sync(plumbing_metadata.create_all)
        await conn.run_sync(metadata.create_all)
    await runtime.start(consumer=consume)
    try:
        yield runtime
    finally:
        await runtime.stop()


async def tally_rows(runtime: ServiceRuntime) -> list[tuple[str, str, Decimal]]:
    async with runtime.sessions() as session:
        return [tuple(r) for r in (await session.execute(select(tally).order_by(tally.c.rep_id))).all()]


async def tally_count(runtime: ServiceRuntime) -> int:
    async with runtime.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(tally))).scalar_one())
