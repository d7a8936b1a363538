"""`coxswain up`: every installed service in one process, on SQLite files and one embedded bus."""
from __future__ import annotations

import asyncio

import uvicorn
from rich.console import Console
from rich.table import Table

from shared.clock import SystemClock
from shared.messaging.embedded import EmbeddedBus
from shared.observability.logs import configure_logging
from shared.operations.installed import installed_services
from shared.settings import PlatformSettings


async def run_all(host: str, console: Console) -> None:
    platform = PlatformSettings()
    configure_logging(platform.log_level, json_logs=platform.json_logs)
    bus = EmbeddedBus(platform.embedded_bus_url, clock=SystemClock())
    servers = []
    table = Table(title=f"Coxswain is up (embedded bus, data in {platform.data_dir.resolve()})")
    for column in ("service", "API", "docs"):
        table.add_column(column)
    for service in installed_services():
        settings = service.settings()
        app = service.create_app(settings, embedded_bus=bus)
        config = uvicorn.Config(app, host=host, port=settings.port, log_level="warning", lifespan="on")
        servers.append(uvicorn.Server(config))
        table.add_row(service.name, f"http://{host}:{settings.port}/v1", f"http://{host}:{settings.port}/docs")
    console.print(table)
    console.print("Get a token with: coxswain token --role ops   (Ctrl-C stops everything)")
    try:
        await asyncio.gather(*(s.serve() for s in servers))
    finally:
        await bus.close()
