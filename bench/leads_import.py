"""CSV import throughput and peak memory for a 100,000-row file, against plain csv parsing of it, same run.

    .venv/bin/python bench/leads_import.py [--rows 100000] [--rounds 3] [--database sqlite|postgres]

Writes a CSV of `--rows` leads (one in twenty a repeated email, so merged; one in fifty a bad email, so
rejected) to a temp file. Each round: parse it with `csv.reader` (the baseline: no cleaning, no database),
then stream the same file through POST /v1/leads/import of an in-process leads app (fresh database each round,
relay and consumer off, so only the import is timed). Each round also shows the Python process's CPU time per
row (`cpu_us_per_row`, all its threads; the database's own CPU is not in it): on a shared, loaded machine it
says what the wall-clock rate cannot. Prints the medians in rows/s, the ratio import/baseline,
and the growth of the process's peak resident memory during the first import next to the file's size (a file
held in memory at once would show up there).
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import resource
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from services.leads.app import create_app
from services.leads.settings import LeadsSettings
from shared.settings import PlatformSettings
from shared.testing import auth_headers

ADMIN = os.environ.get("COXSWAIN_TEST_PG_DSN", "postgresql://coxswain:coxswain@127.0.0.1:55432/coxswain_test")
COUNTRIES = ("DE", "France", "usa", "GB", "NL", "Spain", "JP")
INDUSTRIES = ("SaaS", "Retail", "Fintech", "Manufacturing", "Health")


def write_sheet(path: Path, rows: int) -> None:
    rnd = random.Random(7)
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["Email", "First Name", "Last Name", "Company", "Country", "Employees", "Industry", "Title"])
        for i in range(rows):
            j = i % (rows - rows // 20)  # the last twentieth repeats earlier emails
            email = f"lead{j}@co{j % 9000}.example" if i % 50 else f"broken-{i}"
            out.writerow([email, f"First{i}", f"Last{i}", f"Company {i % 9000}", rnd.choice(COUNTRIES),
                          rnd.randint(1, 5000), rnd.choice(INDUSTRIES), rnd.choice(("VP Sales", "Engineer"))])


def baseline(path: Path) -> float:
    started = time.perf_counter()
    with path.open(newline="") as f:
        count = sum(1 for _ in csv.reader(f)) - 1
    return count / (time.perf_counter() - started)


async def database_url(kind: str, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{tmp / f'leads-{uuid.uuid4().hex[:6]}.db'}"
    name = f"bench_leads_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(ADMIN)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return make_url(ADMIN).set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False)


async def drop_database(url: str) -> None:
    conn = await asyncpg.connect(ADMIN)
    await conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    await conn.close()


async def chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(64 * 1024):
            yield chunk


async def one_import(path: Path, rows: int, kind: str, tmp: Path) -> tuple[float, dict[str, int]]:
    platform = PlatformSettings(bus="embedded", data_dir=tmp, environment="test", json_logs=False,
                                rate_limit_per_minute=0, max_body_bytes=1 << 31)
    settings = LeadsSettings(database_url=await database_url(kind, tmp), platform=platform)
    app = create_app(settings, start_runtime=False)
    await app.state.runtime.migrate()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://leads", timeout=None) as client:
        started, cpu = time.perf_counter(), time.process_time()
        response = await client.post("/v1/leads/import", headers=auth_headers("ops"), content=chunks(path))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    await app.state.runtime.engine.dispose()
    if kind == "postgres":
        await drop_database(settings.db_url)
    body = response.json()
    assert response.status_code == 200 and body["rows"] == rows, response.text[:300]
    return rows / elapsed, {**{k: body[k] for k in ("created", "merged", "rejected")},
                            "cpu_us_per_row": round(cpu / rows * 1e6)}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        sheet = tmp / "leads.csv"
        write_sheet(sheet, args.rows)
        size_mib = sheet.stat().st_size / 1048576
        base_rates, import_rates = [], []
        peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for round_no in range(args.rounds):
            base_rates.append(baseline(sheet))
            rate, counts = await one_import(sheet, args.rows, args.database, tmp)
            import_rates.append(rate)
            if round_no == 0:
                growth_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
            print(f"round {round_no + 1}: csv {base_rates[-1]:,.0f} rows/s, import {rate:,.0f} rows/s {counts}")
    base, imp = statistics.median(base_rates), statistics.median(import_rates)
    print(f"rows={args.rows} database={args.database} rounds={args.rounds}")
    print(f"median plain csv parsing: {base:,.0f} rows/s")
    print(f"median POST /v1/leads/import: {imp:,.0f} rows/s  (ratio import/baseline {imp / base:.4f})")
    print(f"peak RSS growth during the first import: {growth_kib / 1024:.1f} MiB "
          f"(file size {size_mib:.1f} MiB)")


if __name__ == "__main__":
    asyncio.run(main())
