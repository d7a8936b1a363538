"""Two compensation replicas in one consumer group: under load neither deadlocks the other, and one frozen
(SIGSTOP) for two minutes in the middle of a transaction does not stop the other from consuming."""
from __future__ import annotations

import asyncio

import pytest

from shared.testing import eventually
from tests.faults.checker import settled
from tests.faults.cluster import PrivatePostgres
from tests.faults.conftest import WAIT, StartCluster
from tests.faults.injection import Gate, dead_letters
from tests.faults.workload import organised

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]  # a loaded CI machine is slow
FREEZE_SECONDS = 120


async def test_two_replicas_under_load_never_deadlock(start_cluster: StartCluster) -> None:
    cluster = await start_cluster()
    await cluster.add("compensation")
    workload = await organised(cluster)
    # every deal split between two reps, named in both orders: replicas applying them at once would take
    # per-rep locks in opposite orders
    await workload.burst(deals=120, split_pairs=True, concurrency=10)

    verdict = await settled(workload)
    assert verdict.counts == (0, 0, 0), str(verdict)
    assert await dead_letters(cluster.broker.bootstrap, cluster.namespace) == {}
    replicas = cluster.replicas["compensation"]
    assert [r.log_text().count("deadlock detected") for r in replicas] == [0, 0]
    for replica in replicas:  # both did take a share of the work
        assert await replica.metric("coxswain_events_consumed", outcome="handled") > 0


async def test_a_frozen_replica_does_not_block_the_other(start_cluster: StartCluster) -> None:
    cluster = await start_cluster()
    active, frozen = cluster.replicas["compensation"][0], await cluster.add("compensation")
    workload = await organised(cluster)
    assert (await settled(workload)).counts == (0, 0, 0)
    gate = Gate(PrivatePostgres.dsn(cluster.database("compensation")), "processed_events")
    await gate.close()
    await workload.burst(deals=30, split_pairs=True)
    # both replicas inside a transaction: at the gate, or waiting for a lock the one at the gate holds
    await eventually(gate.waiting, until=lambda n: n >= 1, timeout=WAIT)
    await eventually(gate.lock_waits, until=lambda n: n >= 2, timeout=WAIT)
    frozen.freeze()
    loop = asyncio.get_running_loop()
    thaw_at = loop.time() + FREEZE_SECONDS
    try:
        await gate.open()  # the frozen one's transaction stays open, idle, holding what it took
        await workload.burst(deals=20, split_pairs=True)  # and the work goes on
        # the other replica takes over its partitions and gets past its locks while it is still frozen
        during = await settled(workload, timeout=thaw_at - loop.time() - 5)
        assert during.counts == (0, 0, 0), str(during)
        await asyncio.sleep(max(0.0, thaw_at - loop.time()))
    finally:
        frozen.thaw()
    await workload.burst(deals=10, split_pairs=True)

    verdict = await settled(workload)
    assert verdict.counts == (0, 0, 0), str(verdict)
    assert await dead_letters(cluster.broker.bootstrap, cluster.namespace) == {}
    assert await active.metric("coxswain_events_consumed", outcome="handled") > 0
