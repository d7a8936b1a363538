"""`coxswain up` runs all five services in one process on the embedded bus, and a deal closed in pipeline
reaches compensation's ledger through it."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from shared.testing import auth_headers, eventually

pytestmark = pytest.mark.embedded
PORTS = {"leads": 18001, "pipeline": 18002, "forecast": 18003, "compensation": 18004, "territory": 18005}


async def test_coxswain_up_serves_all_five_services(tmp_path: Path) -> None:
    env = {**os.environ, **{f"COXSWAIN_{s.upper()}_PORT": str(p) for s, p in PORTS.items()}}
    env.pop("COXSWAIN_BUS", None)
    process = subprocess.Popen([sys.executable, "-m", "shared.cli", "up", "--data-dir", str(tmp_path / "data")],
                               env=env, cwd=Path(__file__).resolve().parents[2], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            async def all_healthy() -> bool:
                try:
                    answers = [await client.get(f"http://127.0.0.1:{p}/healthz") for p in PORTS.values()]
                except httpx.TransportError:
                    return False
                return all(a.status_code == 200 for a in answers)

            await eventually(all_healthy, timeout=90, interval=0.5)
            ops = auth_headers("ops")
            comp = f"http://127.0.0.1:{PORTS['compensation']}/v1"
            plan = await client.post(f"{comp}/plans", headers=ops, json={
                "id": "flat", "name": "Flat", "effective_from": "2000-01-01", "currency": "EUR",
                "period_kind": "quarter", "components": [{"kind": "rate", "name": "flat", "rate": "0.10"}]})
            assert plan.status_code == 201, plan.text
            assigned = await client.post(f"{comp}/plans/flat/assignments", headers=ops,
                                         json={"rep_id": "rep-1", "starts_on": "2000-01-01"})
            assert assigned.status_code == 201, assigned.text
            deal = await client.post(f"http://127.0.0.1:{PORTS['pipeline']}/v1/deals", headers=ops, json={
                "name": "Up and running", "amount": "1000.00", "currency": "EUR", "owner_id": "rep-1"})
            assert deal.status_code == 201, deal.text
            closed = await client.post(f"http://127.0.0.1:{PORTS['pipeline']}/v1/deals/{deal.json()['id']}/close",
                                       headers=ops, json={"outcome": "won"})
            assert closed.status_code == 200, closed.text

            async def ledger_lines() -> list[dict]:
                r = await client.get(f"http://127.0.0.1:{PORTS['compensation']}/v1/commissions", headers=ops,
                                     params={"rep_id": "rep-1"})
                return r.json().get("items", []) if r.status_code == 200 else []

            lines = await eventually(ledger_lines, timeout=60)
            # 10% of 1,000.00 under the flat plan
            assert [(x["deal_id"], x["amount"]) for x in lines] == [(deal.json()["id"], "100.00")]
        assert (tmp_path / "data" / "bus.db").exists()
    finally:
        process.terminate()
        try:
            await asyncio.to_thread(process.wait, 30)
        except subprocess.TimeoutExpired:
            process.kill()
