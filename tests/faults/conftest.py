"""The fault suite's private broker and PostgreSQL cluster (started once for the suite, stopped after it) and
a fresh set of five service processes per scenario."""
from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from tests.faults.cluster import Cluster, PrivateBroker, PrivatePostgres

StartCluster = Callable[..., Awaitable[Cluster]]
WAIT = 180.0  # bounds a wait for a condition on a machine other suites load too; never a speed claim


@pytest.fixture(scope="session")
async def private_broker() -> AsyncIterator[PrivateBroker]:
    broker = PrivateBroker()
    await broker.start()
    try:
        yield broker
    finally:
        await broker.stop()


@pytest.fixture(scope="session")
async def private_postgres() -> AsyncIterator[PrivatePostgres]:
    postgres = PrivatePostgres()
    await postgres.start()
    try:
        yield postgres
    finally:
        await postgres.stop()


@pytest.fixture
async def start_cluster(private_broker: PrivateBroker,
                        private_postgres: PrivatePostgres) -> AsyncIterator[StartCluster]:
    """`await start_cluster(COXSWAIN_X="...")`: the five services with these extra settings."""
    started: list[Cluster] = []

    async def start(db_port: int | None = None, **settings: str) -> Cluster:
        cluster = Cluster(private_broker, private_postgres, settings=settings)
        if db_port is not None:
            cluster.db_port = db_port
        started.append(cluster)
        print(f"fault suite: namespace {cluster.namespace}, logs in {cluster.log_dir}")
        await cluster.start()
        return cluster

    yield start
    for cluster in started:
        await cluster.stop()
        await private_broker.recover()  # a failed scenario may leave it stopped or frozen
        await private_postgres.start()
        await cluster.drop_databases()
