"""The `coxswain` command: run services, migrate, mint dev tokens, and the operator's commands (status, topics,
dead letters). The work lives in shared.operations; services are found through their entry points."""
from __future__ import annotations

import asyncio
import json
import os
import sys
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from shared.operations.installed import (
    InstalledService,
    UnknownService,
    extra_commands,
    installed_service,
    installed_services,
)
from shared.operations.rebuild import rebuild_command

try:  # typer vendors click from 0.16 on
    from typer._click.exceptions import NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover
    from click.exceptions import NoArgsIsHelpError, UsageError  # type: ignore[assignment]  # typer < 0.16: click's own

cli = typer.Typer(help="Coxswain: the backend for sales operations.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
topics_cli = typer.Typer(help="Kafka topics, created as configured.", no_args_is_help=True)
dlq_cli = typer.Typer(help="Dead letters: list, show, redrive.", no_args_is_help=True)
cli.command("rebuild")(rebuild_command)
cli.add_typer(topics_cli, name="topics")
cli.add_typer(dlq_cli, name="dlq")
console = Console()


def _service(name: str) -> InstalledService:
    try:
        return installed_service(name)
    except UnknownService as exc:
        raise typer.BadParameter(str(exc)) from None


@cli.command()
def up(data_dir: Annotated[Path, typer.Option(help="where the SQLite files live")] = Path(".data"),
       host: str = "127.0.0.1") -> None:
    """Run all five services in this process: SQLite files and the embedded event bus."""
    os.environ.setdefault("COXSWAIN_BUS", "embedded")
    os.environ.setdefault("COXSWAIN_DATA_DIR", str(data_dir))
    os.environ.setdefault("COXSWAIN_JSON_LOGS", "false")
    from shared.operations.one_machine import run_all

    asyncio.run(run_all(host, console))


@cli.command()
def serve(service: str, host: Annotated[str, typer.Option()] = "0.0.0.0") -> None:
    """Run one service against Kafka and PostgreSQL (COXSWAIN_BUS=kafka, COXSWAIN_<SERVICE>_DATABASE_URL)."""
    import uvicorn

    from shared.observability.logs import configure_logging

    installed = _service(service)
    os.environ.setdefault("COXSWAIN_BUS", "kafka")
    settings = installed.settings()
    configure_logging(settings.platform.log_level, json_logs=settings.platform.json_logs)
    uvicorn.run(installed.create_app(settings), host=host, port=settings.port, log_level="warning")


@cli.command()
def migrate(service: str) -> None:
    """Apply the service's migrations to its database (its own Alembic version table)."""
    from shared.db.migrate import upgrade_to_head

    installed = _service(service)
    settings = installed.settings()
    asyncio.run(upgrade_to_head(installed.spec.migrations_dir, settings.db_url, service))
    console.print(f"{service}: migrated {settings.db_url}")


@cli.command()
def token(role: Annotated[list[str], typer.Option(help="admin, ops, manager, rep, integration")],
          rep_id: Annotated[str | None, typer.Option()] = None,
          team_id: Annotated[list[str] | None, typer.Option(help="teams a manager leads")] = None,
          sub: str = "dev-user") -> None:
    """Print a development JWT signed with COXSWAIN_JWT_SECRET."""
    from shared.http.auth import issue_token
    from shared.settings import PlatformSettings

    platform = PlatformSettings()
    typer.echo(issue_token(platform.jwt_secret, sub=sub, roles=role, rep_id=rep_id, team_ids=team_id,
                           issuer=platform.jwt_issuer, now=datetime.now(UTC)))


@cli.command()
def asyncapi(out: Path = Path("docs/asyncapi.json")) -> None:
    """Write the AsyncAPI document generated from the event models and the services' handler tables."""
    from shared.events.asyncapi import asyncapi_document, installed_consumers

    out.write_text(json.dumps(asyncapi_document(installed_consumers()), indent=2, sort_keys=True) + "\n")
    console.print(f"wrote {out}")


@cli.command()
def status(as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of tables")] = False,
           service: Annotated[list[str] | None, typer.Option(help="only these services")] = None) -> None:
    """Per service: consumer lag per topic and partition, last event applied, outbox depth and age, dead letters."""
    from shared.operations.report import as_json as dumps
    from shared.operations.report import print_status
    from shared.operations.status import ServiceView, collect_status

    chosen = [_service(name) for name in service] if service else installed_services()
    views = [ServiceView(s.name, s.spec.consumes, s.settings().db_url) for s in chosen]
    with _spinner("reading groups, outboxes and dead letters", quiet=as_json):
        report = asyncio.run(collect_status(_platform(), views))
    if as_json:
        typer.echo(dumps(report.to_json()))
    else:
        print_status(console, report)


@topics_cli.command("create")
def topics_create() -> None:
    """Create every domain and dead-letter topic with the configured partitions, replicas and retention."""
    from shared.operations.topics import create_topics, planned_topics

    platform = _platform()
    consumers = [(s.name, s.spec.consumes) for s in installed_services()]
    created = set(asyncio.run(create_topics(platform, consumers)))
    table = Table(title=f"Topics on {platform.kafka_bootstrap}")
    for column in ("topic", "partitions", "replicas", "retention.ms", ""):
        table.add_column(column)
    for spec in planned_topics(platform, consumers):
        table.add_row(spec.name, str(spec.partitions), str(spec.replication_factor), spec.config["retention.ms"],
                      "created" if spec.name in created else "existed")
    console.print(table)


DlqTopic = Annotated[str | None, typer.Option("--topic", help="original topic, e.g. coxswain.pipeline")]
DlqGroup = Annotated[str | None, typer.Option("--group", help="consumer group or service")]
DlqType = Annotated[str | None, typer.Option("--type", help="event type")]


@dlq_cli.command("list")
def dlq_list(topic: DlqTopic = None, group: DlqGroup = None, event_type: DlqType = None,
             as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Dead letters with their reasons, filtered by original topic, group or event type."""
    from shared.operations.dead_letters import DeadLetterFilter, read_dead_letters
    from shared.operations.report import as_json as dumps
    from shared.operations.report import print_dead_letters

    with _spinner("reading dead-letter topics", quiet=as_json):
        letters = asyncio.run(read_dead_letters(_platform(), DeadLetterFilter(topic, group, event_type)))
    if as_json:
        typer.echo(dumps([x.summary() for x in letters]))
    else:
        print_dead_letters(console, letters)


@dlq_cli.command("show")
def dlq_show(letter_id: Annotated[str, typer.Argument(metavar="ID", help="as `dlq list` prints it")]) -> None:
    """One dead letter: where it came from, why, and the event itself."""
    from shared.operations.dead_letters import UnknownDeadLetter, chosen, read_dead_letters
    from shared.operations.report import print_dead_letter

    try:
        letter = chosen(asyncio.run(read_dead_letters(_platform())), [letter_id])[0]
    except UnknownDeadLetter as exc:
        raise typer.BadParameter(str(exc)) from None
    print_dead_letter(console, letter)


@dlq_cli.command("redrive")
def dlq_redrive(ids: Annotated[list[str] | None, typer.Argument(metavar="[ID]...")] = None,
                every: Annotated[bool, typer.Option("--all", help="every dead letter the filters match")] = False,
                topic: DlqTopic = None, group: DlqGroup = None, event_type: DlqType = None) -> None:
    """Publish dead letters back onto their original topic once the cause is fixed (the inboxes dedupe)."""
    from shared.operations.dead_letters import DeadLetterFilter, UnknownDeadLetter, redrive_matching

    if not ids and not every:
        raise typer.BadParameter("name dead letters by id, or pass --all (with --topic/--group/--type to narrow)")
    with Progress(console=console) as progress:
        task = progress.add_task("redriving", total=None)
        try:
            sent = asyncio.run(redrive_matching(
                _platform(), ids or [], DeadLetterFilter(topic, group, event_type),
                on_chosen=lambda n: progress.update(task, total=n), on_sent=lambda n: progress.advance(task, n)))
        except UnknownDeadLetter as exc:
            raise typer.BadParameter(str(exc)) from None
    console.print(f"redrove {sent} dead letters")


def _spinner(doing: str, *, quiet: bool) -> AbstractContextManager[Any]:
    return nullcontext() if quiet else console.status(doing)


def _platform() -> Any:
    from shared.settings import PlatformSettings

    return PlatformSettings()


def _register_service_commands() -> None:
    known = {c.name for c in cli.registered_commands}
    for name, load in extra_commands().items():
        if name not in known:
            cli.command(name)(load())


def main(argv: list[str] | None = None) -> None:
    """Usage mistakes are one line on stderr and exit code 2; failures one line and exit code 1."""
    _register_service_commands()
    try:
        result = cli(args=argv, prog_name="coxswain", standalone_mode=False)
    except NoArgsIsHelpError as help_wanted:
        help_wanted.show()
        sys.exit(0)
    except UsageError as mistake:
        typer.echo(f"coxswain: {mistake.format_message()}", err=True)
        sys.exit(2)
    except (KeyboardInterrupt, typer.Abort):
        sys.exit(130)
    except Exception as failure:  # an operator gets the cause, not a traceback; COXSWAIN_DEBUG=1 shows it
        if os.environ.get("COXSWAIN_DEBUG"):
            raise
        typer.echo(f"coxswain: {type(failure).__name__}: {failure}", err=True)
        sys.exit(1)
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
