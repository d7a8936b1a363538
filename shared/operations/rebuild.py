"""`coxswain rebuild SERVICE`: a service's projections replayed from the event log into a fresh database
beside the live one, compared with the live ones, and (with --switch) put in the live one's place.

1. a fresh database (rebuild_place), migrated to head;
2. the source-of-truth tables (every table the service does not declare in `ServiceSpec.projections`, and
   its outbox, sequence counters and idempotency keys) copied from the live database;
3. every consumed topic replayed from its beginning (rebuild_log) through the service's own handlers and the
   same dispatcher as live consumption, in large batches, under the live consumer name, so the inbox comes
   out as live consumption would have left it;
4. the source-of-truth tables copied again: whatever the replay's handlers wrote into them is discarded,
   and what the live service wrote meanwhile is taken;
5. each projection table compared (rows and a checksum) with the live one;
6. with --switch: the rebuilt database takes the live one's place; the live one is kept as a backup.

Nothing the replay decides is published again: its unit of work writes no outbox rows, and no relay runs
on the rebuilt database. Dead letters found on the way are counted, not sent.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.clock import Clock, SystemClock
from shared.db.engine import make_engine, make_session_factory
from shared.db.migrate import upgrade_to_head
from shared.db.uow import UnitOfWork
from shared.messaging.dispatch import EventDispatcher
from shared.messaging.embedded import EmbeddedBus
from shared.observability.metrics import ServiceMetrics
from shared.operations.rebuild_log import EmbeddedLog, KafkaLog, LogEnd, consumed_beyond
from shared.operations.rebuild_place import SwitchRefused, place_for
from shared.operations.rebuild_tables import (
    TableComparison,
    compare_tables,
    copy_tables,
    kept_tables,
    projection_tables,
)
from shared.runtime import ServiceSpec
from shared.settings import ServiceSettings

Progress = Callable[[int, int], None]  # (events replayed so far, events in the log)


@dataclass
class RebuildReport:
    service: str
    rebuilt_url: str
    events: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    unpublished: int = 0  # events the handlers emitted during the replay, dropped
    kept_rows: int = 0
    comparisons: list[TableComparison] = field(default_factory=list)
    backup: str | None = None  # where the old live database went, after a switch

    @property
    def differences(self) -> list[TableComparison]:
        return [c for c in self.comparisons if not c.same]


class ReplayUnitOfWork(UnitOfWork):
    """The handlers' unit of work during a replay: what they emit was published when first decided."""

    def __init__(self, *args: object, report: RebuildReport, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._report = report

    async def flush_outbox(self) -> None:
        """No outbox rows: the events stay in `emitted` only, and are counted at commit."""

    async def commit(self) -> None:
        await super().commit()
        self._report.unpublished += len(self.emitted)


async def rebuild(spec: ServiceSpec, settings: ServiceSettings, *, switch: bool = False,
                  progress: Progress | None = None, clock: Clock | None = None,
                  embedded_bus: EmbeddedBus | None = None, batch_size: int = 2000,
                  admin_database: str = "postgres") -> RebuildReport:
    clock = clock or SystemClock()
    place = place_for(settings.db_url, clock.now().strftime("%Y%m%d%H%M%S"), admin_database=admin_database)
    report = RebuildReport(spec.name, await place.create())
    await upgrade_to_head(spec.migrations_dir, report.rebuilt_url, spec.name)
    live, rebuilt = make_engine(settings.db_url), make_engine(report.rebuilt_url)
    bus = embedded_bus or _own_bus(settings, clock)
    try:
        projections, kept = projection_tables(spec), kept_tables(spec)
        await copy_tables(live, rebuilt, kept)
        end = await _replay(spec, settings, rebuilt, bus, report, clock, batch_size, progress)
        report.kept_rows = await copy_tables(live, rebuilt, kept)
        report.comparisons = await compare_tables(live, rebuilt, projections)
        if switch:
            await _refuse_if_consumed_past(spec, settings, end, bus)
    finally:
        await live.dispose()
        await rebuilt.dispose()
        if bus is not None and embedded_bus is None:
            await bus.close()
    if switch:
        report.backup = await place.switch()
    return report


async def _refuse_if_consumed_past(spec: ServiceSpec, settings: ServiceSettings, end: LogEnd,
                                   bus: EmbeddedBus | None) -> None:
    platform = settings.platform
    beyond = await consumed_beyond(end, platform.group(spec.name), bus=bus, bootstrap=platform.kafka_bootstrap)
    if beyond:
        raise SwitchRefused(f"the live service consumed past the rebuild ({', '.join(beyond)}): stop it and "
                            "run the rebuild again")


def _own_bus(settings: ServiceSettings, clock: Clock) -> EmbeddedBus | None:
    platform = settings.platform
    return EmbeddedBus(platform.embedded_bus_url, clock=clock) if platform.bus == "embedded" else None


async def _replay(spec: ServiceSpec, settings: ServiceSettings, rebuilt: AsyncEngine, bus: EmbeddedBus | None,
                  report: RebuildReport, clock: Clock, batch_size: int, progress: Progress | None) -> LogEnd:
    platform = settings.platform
    sessions = make_session_factory(rebuilt)
    dispatcher = EventDispatcher(
        platform.group(spec.name), spec.handlers, metrics=ServiceMetrics(spec.name),
        uow_factory=lambda: ReplayUnitOfWork(sessions, service=spec.name, clock=clock, report=report))
    topics = [platform.topic(t) for t in spec.consumes]
    log = (EmbeddedLog(bus, topics, batch_size=batch_size) if bus is not None else
           KafkaLog(platform.kafka_bootstrap, topics, client_id=f"coxswain-rebuild-{spec.name}",
                    batch_size=batch_size))
    await log.open()
    try:
        if progress:
            progress(0, log.total)
        async for values in log.batches():
            outcomes = await dispatcher.dispatch_many(values)
            report.outcomes.update(o.kind for o in outcomes)
            report.events += len(values)
            if progress:
                progress(report.events, log.total)
        return log.end()
    finally:
        await log.close()
