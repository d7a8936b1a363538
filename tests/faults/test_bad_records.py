"""Duplicates, out-of-order and poison records appended to the topics by hand, between live traffic: every
figure stays right, and exactly the poison lands in the dead-letter topics."""
from __future__ import annotations

import json
import uuid

import pytest

from tests.faults.checker import settled
from tests.faults.conftest import StartCluster
from tests.faults.injection import append, dead_letters, read_topic
from tests.faults.workload import organised

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]  # a loaded CI machine is slow
CONSUMERS_OF_PIPELINE = ("forecast", "compensation", "territory")


async def test_duplicates_out_of_order_and_poison_change_nothing(start_cluster: StartCluster) -> None:
    cluster = await start_cluster()
    workload = await organised(cluster, deals=16, leads=10)
    assert (await settled(workload)).counts == (0, 0, 0)
    bootstrap = cluster.broker.bootstrap
    pipeline_topic, leads_topic = cluster.topic("coxswain.pipeline"), cluster.topic("coxswain.leads")
    deals = [(r.key, r.value or b"") for r in await read_topic(bootstrap, pipeline_topic)]
    leads = [(r.key, r.value or b"") for r in await read_topic(bootstrap, leads_topic)]
    assert deals and leads

    # Duplicates: every record of both topics once more, byte for byte (a producer retry, a relay replay).
    await append(bootstrap, pipeline_topic, deals)
    await append(bootstrap, leads_topic, leads)
    # Out of order: each deal's creation again under a new event id, after its close (an older sequence).
    created = [json.loads(value) for _, value in deals if b"deal.created" in value]
    await append(bootstrap, pipeline_topic, [
        (e["subject"], json.dumps({**e, "id": str(uuid.uuid4())}).encode()) for e in created])
    # Poison: not JSON, not a CloudEvent, a deal.closed whose data can never validate.
    closed = json.loads(next(value for _, value in deals if b"deal.closed" in value))
    poison = [b"\x00\xffnot json", json.dumps({"hello": "world"}).encode(),
              json.dumps({**closed, "id": str(uuid.uuid4()), "data": {"deal_id": 42}}).encode()]
    await append(bootstrap, pipeline_topic, [("poison", p) for p in poison])
    await workload.burst(deals=8, leads=4)  # live traffic after the bad records still flows

    verdict = await settled(workload)
    assert verdict.counts == (0, 0, 0), str(verdict)
    # the three poison records, once per consumer group of the pipeline topic, and nothing else
    assert await dead_letters(bootstrap, cluster.namespace) == {
        f"{pipeline_topic}.dlq.{cluster.group(s)}": len(poison) for s in CONSUMERS_OF_PIPELINE}
