"""PostgreSQL stopped immediately (`pg_ctl stop -m immediate`: no checkpoint, crash recovery on the next start)
while every consumer is behind, then slow to accept connections: for 30 s after it is back each new
connection is answered "the database system is not yet accepting connections" (SQLSTATE 57P03), as a server
still recovering does. No event is dead-lettered for it and nothing is lost."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from shared.testing import eventually
from tests.faults.checker import settled
from tests.faults.cluster import PG_PORT, PG_PROXY_PORT, PrivatePostgres
from tests.faults.conftest import WAIT, StartCluster
from tests.faults.injection import Gate, NotAcceptingProxy, dead_letters, topic_size
from tests.faults.workload import organised

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]  # a loaded CI machine is slow
SLOW_START_SECONDS = 30
CONSUMERS = ("leads", "forecast", "compensation", "territory")


@pytest.fixture
async def proxy() -> AsyncIterator[NotAcceptingProxy]:
    proxy = NotAcceptingProxy(PG_PROXY_PORT, PG_PORT)
    await proxy.start()
    yield proxy
    await proxy.stop()


async def test_postgres_crash_while_consumers_are_behind(start_cluster: StartCluster,
                                                         proxy: NotAcceptingProxy) -> None:
    cluster = await start_cluster(db_port=PG_PROXY_PORT)
    workload = await organised(cluster)
    assert (await settled(workload)).counts == (0, 0, 0)
    bootstrap = cluster.broker.bootstrap
    deals_topic = cluster.topic("coxswain.pipeline")
    on_topic = await topic_size(bootstrap, deals_topic)
    for service in CONSUMERS:  # hold every consumer back while the backlog builds
        await Gate(PrivatePostgres.dsn(cluster.database(service)), "processed_events").close()
    await workload.burst(deals=40, leads=20)
    # each deal is two records (created, won), all on the broker before the crash
    await eventually(lambda: topic_size(bootstrap, deals_topic), until=lambda n: n >= on_topic + 80, timeout=WAIT)

    await cluster.postgres.crash()  # the gates go with it: the backlog meets a recovering server
    proxy.refusing = True
    await cluster.postgres.start()
    await asyncio.sleep(SLOW_START_SECONDS)  # the consumers keep trying; each try is answered 57P03
    refused = proxy.refused
    proxy.refusing = False

    verdict = await settled(workload)
    assert verdict.counts == (0, 0, 0), str(verdict)
    assert refused > 0  # the services did meet the recovering server
    assert await dead_letters(bootstrap, cluster.namespace) == {}

