"""kill -9 in the two windows at-least-once delivery exists for, caught exactly there with a gate:
a consumer after its database commit and before its offset commit, the relay after publishing and before
marking the rows published. Both leave records delivered twice; the inbox must make the second a no-op."""
from __future__ import annotations

from collections import Counter

import pytest

from shared.testing import eventually
from tests.faults.checker import settled
from tests.faults.cluster import PrivatePostgres
from tests.faults.conftest import WAIT, StartCluster
from tests.faults.injection import Gate, inbox_size, read_topic, terminate_sessions, topic_size
from tests.faults.workload import organised

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]  # a loaded CI machine is slow
# The gate holds sessions on a lock; a lock or statement timeout would end the wait before the kill.
UNBOUNDED_WAITS = {"COXSWAIN_DB_LOCK_TIMEOUT_MS": "0", "COXSWAIN_DB_STATEMENT_TIMEOUT_MS": "0"}


async def test_consumer_killed_between_database_commit_and_offset_commit(start_cluster: StartCluster) -> None:
    cluster = await start_cluster(**UNBOUNDED_WAITS)
    workload = await organised(cluster)
    assert (await settled(workload)).counts == (0, 0, 0)
    compensation = cluster.replicas["compensation"][0]
    dsn = PrivatePostgres.dsn(cluster.database("compensation"))
    gate = Gate(dsn, "processed_events", at_commit=True)
    await gate.close()
    await workload.burst(deals=30)
    await eventually(gate.waiting, until=lambda n: n >= 1, timeout=WAIT)  # a batch applied, its COMMIT sent
    applied = await inbox_size(dsn)
    compensation.freeze()  # so it cannot go on to commit its offsets once the COMMIT answers
    await gate.open()
    await eventually(lambda: inbox_size(dsn), until=lambda n: n > applied, timeout=WAIT)  # the batch is durable
    compensation.kill()
    await compensation.start()

    verdict = await settled(workload)
    assert verdict.counts == (0, 0, 0), str(verdict)
    # the batch the killed process had committed came again and the inbox recognised it
    assert await compensation.metric("coxswain_events_consumed", outcome="duplicate") > 0


async def test_relay_killed_after_publish_before_marking(start_cluster: StartCluster) -> None:
    cluster = await start_cluster(**UNBOUNDED_WAITS)
    workload = await organised(cluster)
    assert (await settled(workload)).counts == (0, 0, 0)
    pipeline = cluster.replicas["pipeline"][0]
    dsn = PrivatePostgres.dsn(cluster.database("pipeline"))
    topic = cluster.topic("coxswain.pipeline")
    published_before = await topic_size(cluster.broker.bootstrap, topic)
    gate = Gate(dsn, "outbox", on="UPDATE")
    await gate.close()
    await workload.burst(deals=20)
    await eventually(gate.waiting, until=lambda n: n >= 1, timeout=WAIT)  # the relay stopped at marking its batch
    await eventually(lambda: topic_size(cluster.broker.bootstrap, topic),
                     until=lambda n: n > published_before, timeout=WAIT)  # ... which is on the broker already
    pipeline.kill()
    await terminate_sessions(dsn)  # the killed relay's transaction, which PostgreSQL would end on its own
    await gate.open()
    await pipeline.start()

    verdict = await settled(workload)
    assert verdict.counts == (0, 0, 0), str(verdict)
    ids = Counter(record.value for record in await read_topic(cluster.broker.bootstrap, topic))
    assert max(ids.values()) == 2  # the batch went out twice (relay restarted), and nothing three times

