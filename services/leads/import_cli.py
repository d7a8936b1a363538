"""Import a CSV file into a running leads service with a progress bar:

    .venv/bin/python -m services.leads.import_cli leads.csv --url http://127.0.0.1:8001 --token <JWT>
        [--map email:E-mail --map name:Who] [--source fair-2026]

The file is streamed (64 KiB at a time), the bar follows the bytes sent; the answer's counts and the first
bad rows are printed. (To move into `coxswain leads import` in shared/cli.py.)
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.progress import Progress

console = Console()


async def _send(path: Path, url: str, token: str, maps: list[str], source: str) -> httpx.Response:
    with Progress(console=console) as progress:
        task = progress.add_task(f"importing {path.name}", total=path.stat().st_size)

        async def chunks() -> AsyncIterator[bytes]:
            with path.open("rb") as f:
                while chunk := f.read(64 * 1024):
                    progress.advance(task, len(chunk))
                    yield chunk

        params: dict[str, str | list[str]] = {"map": list(maps), "source": source}
        async with httpx.AsyncClient(timeout=None) as client:
            return await client.post(f"{url.rstrip('/')}/v1/leads/import", params=params, content=chunks(),
                                     headers={"Authorization": f"Bearer {token}", "content-type": "text/csv"})


def main(path: Path, url: str = "http://127.0.0.1:8001",
         token: Annotated[str, typer.Option(envvar="COXSWAIN_TOKEN")] = "",
         map: Annotated[list[str] | None, typer.Option(help="field:column")] = None,  # noqa: A002
         source: str = "import") -> None:
    response = asyncio.run(_send(path, url, token, map or [], source))
    body = response.json()
    if response.status_code != 200:
        console.print(f"[red]{response.status_code}[/red] {body.get('detail')}")
        raise typer.Exit(1)
    console.print(f"rows {body['rows']}: created {body['created']}, merged {body['merged']}, "
                  f"rejected {body['rejected']}")
    for error in body["errors"][:20]:
        console.print(f"  row {error['row']}: {error['field']}: {error['reason']}")


if __name__ == "__main__":
    typer.run(main)
