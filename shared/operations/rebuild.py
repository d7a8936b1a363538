"""`coxswain rebuild SERVICE`: a service's projections replayed from the event log into a fresh database
beside the live one, compared with the live ones, and (with --switch) put in the live one's place.

1. a fresh database (rebuild_place), migrated to head;
2. the source-of-truth tables (every table the service does not declare in `ServiceSpec.projections`, and
   its outbox, sequence counters and idempotency keys) copied from the live database;
3. every consumed topic replayed from its beginning (rebuild_log) through the service's own handlers and the
   same dispatcher as live consumption (dispatch_many), in batches of 5,000 (REBUILD_BATCH: the handlers take
   each batch's events at once), under the live consumer name, so the inbox comes out as live consumption
   would have left it;
4. the source-of-truth tables copied again: whatever the replay's handlers wrote into them is discarded,
   and what the live service wrote meanwhile is taken;
5. each projection table compared (rows and a checksum) with the live one;
6. with --switch: the rebuilt database takes the live one's place; the live one is kept as a backup.

Nothing the replay decides is published again: its unit of work writes no outbox rows, and no relay runs
on the rebuilt database. Dead letters found on the way are counted, not sent.
"""
from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import MofNCompleteColumn
from rich.progress import Progress as ProgressBar
from rich.table import Table
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.clock import Clock, SystemClock
from shared.db.engine import make_engine, make_session_factory
from shared.db.migrate import upgrade_to_head
from shared.db.uow import UnitOfWork
from shared.messaging.dispatch import EventDispatcher
from shared.messaging.embedded import EmbeddedBus
from shared.observability.metrics import ServiceMetrics
from shared.operations.installed import UnknownService, installed_service
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
# Events per transaction: the largest batches the handlers see anywhere (live consumption fetches hundreds).
REBUILD_BATCH = 5000


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
    truncated: list[str] = field(default_factory=list)  # partitions that no longer hold their first events

    @property
    def differences(self) -> list[TableComparison]:
        return [c for c in self.comparisons if not c.same]


class ReplayUnitOfWork(UnitOfWork):
    """The handlers' unit of work during a replay: what they emit was published when first decided."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, service: str, clock: Clock,
                 report: RebuildReport) -> None:
        super().__init__(sessions, service=service, clock=clock)  # no on_commit: no relay to wake
        self._report = report

    async def flush_outbox(self) -> None:
        """No outbox rows: the events stay in `emitted` only, and are counted at commit."""

    async def commit(self) -> None:
        await super().commit()
        self._report.unpublished += len(self.emitted)


async def rebuild(spec: ServiceSpec, settings: ServiceSettings, *, switch: bool = False,
                  progress: Progress | None = None, clock: Clock | None = None,
                  embedded_bus: EmbeddedBus | None = None, batch_size: int = REBUILD_BATCH,
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
        if switch and report.truncated:
            raise SwitchRefused(f"the log has lost its beginning ({', '.join(report.truncated)}): a rebuild "
                                "from it would lose what those events said")
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
    try:
        await log.open()
        report.truncated = log.truncated
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


def rebuild_command(
    service: Annotated[str, typer.Argument(help="leads, pipeline, forecast, compensation or territory")],
    switch: Annotated[bool, typer.Option(help="put the rebuilt database in the live one's place (service "
                                              "stopped); the live one is kept as a backup")] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="events per transaction (the handlers take each "
                                                         "batch's events at once)")] = REBUILD_BATCH,
    admin_database: Annotated[str, typer.Option(help="PostgreSQL database to connect to for CREATE/ALTER "
                                                     "DATABASE")] = "postgres",
) -> None:
    """Rebuild a service's projections from the event log beside the live database, compare, and switch."""
    spec, settings = _service(service)
    console = Console()
    with ProgressBar(*ProgressBar.get_default_columns(), MofNCompleteColumn(), console=console) as bar:
        task = bar.add_task(f"replaying {service}", total=None)
        report = asyncio.run(rebuild(
            spec, settings, switch=switch, batch_size=batch_size, admin_database=admin_database,
            progress=lambda done, total: bar.update(task, completed=done, total=total)))
    show(report, console)
    if report.differences and report.backup is None:
        raise typer.Exit(1)  # drift found and left in place: a script can tell


def _service(name: str) -> tuple[ServiceSpec, ServiceSettings]:
    try:
        found = installed_service(name)
    except UnknownService as exc:
        raise typer.BadParameter(str(exc), param_hint="SERVICE") from None
    return found.spec, found.settings()


def show(report: RebuildReport, console: Console) -> None:
    table = Table(title=f"{report.service}: projections, live against rebuilt")
    for column in ("table", "live rows", "rebuilt rows", "live checksum", "rebuilt checksum", ""):
        table.add_column(column)
    for c in report.comparisons:
        table.add_row(c.table, str(c.live_rows), str(c.rebuilt_rows), c.live_checksum, c.rebuilt_checksum,
                      "[green]same[/green]" if c.same else f"[red]{c.differing_rows} rows differ[/red]")
    console.print(table)
    for c in report.differences:
        for side, rows in (("only live", c.only_live), ("only rebuilt", c.only_rebuilt)):
            for row in rows:
                console.print(f"  {c.table} {side}: {row}")
    outcomes = ", ".join(f"{kind} {n}" for kind, n in sorted(report.outcomes.items()))
    console.print(f"replayed {report.events} events ({outcomes}); {report.unpublished} events the handlers "
                  f"emitted again were dropped, not published; {report.kept_rows} source-of-truth rows kept")
    for partition in report.truncated:
        console.print(f"[red]incomplete log:[/red] {partition} (retention deleted its first events)")
    rebuilt = make_url(report.rebuilt_url).render_as_string(hide_password=True)
    if report.backup is None:
        console.print(f"rebuilt database: {rebuilt} (stop the service and run again with --switch to use it)")
    else:
        console.print(f"switched: the rebuilt database is live; the previous one is kept as {report.backup}")
