"""The broker down for 90 s while the services keep taking writes: consumption resumes on its own once it
is back, and nothing is lost or counted twice. The watchdog is shortened (15 s) so that it restarts every
consumer while the broker is still away, which is what used to leave the groups without members."""
from __future__ import annotations

import pytest

from tests.faults.checker import settled
from tests.faults.conftest import StartCluster
from tests.faults.workload import organised

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]  # a loaded CI machine is slow
OUTAGE_SECONDS = 90


async def test_ninety_seconds_without_a_broker(start_cluster: StartCluster) -> None:
    cluster = await start_cluster(COXSWAIN_CONSUMER_STALL_SECONDS="15", COXSWAIN_CONSUMER_START_TIMEOUT_SECONDS="10")
    workload = await organised(cluster)
    assert (await settled(workload)).counts == (0, 0, 0)

    await cluster.broker.stop()
    try:
        await workload.trickle(OUTAGE_SECONDS, every=3.0)  # writes go on into the outboxes
    finally:
        await cluster.broker.start()

    verdict = await settled(workload)
    assert verdict.counts == (0, 0, 0), str(verdict)
    assert len(workload.won) > 30  # the outage's writes are part of what was checked
