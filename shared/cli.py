"""The `coxswain` command: run everything on one machine, run one service, migrate, mint dev tokens."""
from __future__ import annotations

import asyncio
import importlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from shared.events.registry import SERVICES
from shared.operations.rebuild import rebuild_command

cli = typer.Typer(help="Coxswain: the backend for sales operations.", no_args_is_help=True)
cli.command("rebuild")(rebuild_command)
console = Console()
PORTS = {"leads": 8001, "pipeline": 8002, "forecast": 8003, "compensation": 8004, "territory": 8005}


def _service_module(name: str) -> Any:
    if name not in SERVICES:
        raise typer.BadParameter(f"unknown service {name!r}; one of {', '.join(SERVICES)}")
    return importlib.import_module(f"services.{name}.app")


def _settings_for(name: str) -> Any:
    module = importlib.import_module(f"services.{name}.settings")
    return getattr(module, f"{name.capitalize()}Settings")()


@cli.command()
def up(data_dir: Annotated[Path, typer.Option(help="where the SQLite files live")] = Path(".data"),
       host: str = "127.0.0.1") -> None:
    """Run all five services in this process: SQLite files and the embedded event bus."""
    os.environ.setdefault("COXSWAIN_BUS", "embedded")
    os.environ.setdefault("COXSWAIN_DATA_DIR", str(data_dir))
    os.environ.setdefault("COXSWAIN_JSON_LOGS", "false")
    asyncio.run(_run_all(host))


async def _run_all(host: str) -> None:
    from shared.messaging.embedded import EmbeddedBus
    from shared.observability.logs import configure_logging
    from shared.settings import PlatformSettings

    platform = PlatformSettings()
    configure_logging(platform.log_level, json_logs=platform.json_logs)
    bus = EmbeddedBus(platform.embedded_bus_url, clock=_clock())
    servers = []
    table = Table(title=f"Coxswain is up (embedded bus, data in {platform.data_dir.resolve()})")
    for column in ("service", "API", "docs"):
        table.add_column(column)
    for name in SERVICES:
        settings = _settings_for(name)
        app = _service_module(name).create_app(settings, embedded_bus=bus)
        config = uvicorn.Config(app, host=host, port=settings.port, log_level="warning", lifespan="on")
        servers.append(uvicorn.Server(config))
        table.add_row(name, f"http://{host}:{settings.port}/v1", f"http://{host}:{settings.port}/docs")
    console.print(table)
    console.print("Get a token with: coxswain token --role ops   (Ctrl-C stops everything)")
    try:
        await asyncio.gather(*(s.serve() for s in servers))
    finally:
        await bus.close()


def _clock() -> Any:
    from shared.clock import SystemClock

    return SystemClock()


@cli.command()
def serve(service: str, host: Annotated[str, typer.Option()] = "0.0.0.0") -> None:
    """Run one service against Kafka and PostgreSQL (COXSWAIN_BUS=kafka, COXSWAIN_<SERVICE>_DATABASE_URL)."""
    from shared.observability.logs import configure_logging

    os.environ.setdefault("COXSWAIN_BUS", "kafka")
    settings = _settings_for(service)
    configure_logging(settings.platform.log_level, json_logs=settings.platform.json_logs)
    app = _service_module(service).create_app(settings)
    uvicorn.run(app, host=host, port=settings.port, log_level="warning")


@cli.command()
def migrate(service: str) -> None:
    """Apply the service's migrations to its database (its own Alembic version table)."""
    from shared.db.migrate import upgrade_to_head

    spec = _service_module(service).SPEC
    settings = _settings_for(service)
    asyncio.run(upgrade_to_head(spec.migrations_dir, settings.db_url, service))
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


@cli.command("import-leads")
def import_leads(path: Path, url: str = "http://127.0.0.1:8001",
                 token: Annotated[str, typer.Option(envvar="COXSWAIN_TOKEN")] = "",
                 map: Annotated[list[str] | None, typer.Option(help="field:column")] = None,  # noqa: A002
                 source: str = "import") -> None:
    """Stream a CSV file into the leads service with a progress bar (bad rows are listed with their numbers)."""
    _service_module("leads")
    importlib.import_module("services.leads.import_cli").main(path, url, token, map, source)


@cli.command()
def asyncapi(out: Path = Path("docs/asyncapi.json")) -> None:
    """Write the AsyncAPI document generated from the event models (their single source)."""
    from shared.events.asyncapi import asyncapi_document

    out.write_text(json.dumps(asyncapi_document(), indent=2, sort_keys=True) + "\n")
    console.print(f"wrote {out}")


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
