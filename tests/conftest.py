"""Fixtures: the real Kafka and PostgreSQL started by `make test` (or testcontainers where Docker runs),
and the embedded bus; the `backend` fixture runs a test on both."""
from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from shared.testing.backends import Backend, EmbeddedBackend, KafkaBackend

# Every record the services publish in the run is checked against its AsyncAPI payload schema.
pytest_plugins = ("tests.contract.record_audit",)


@pytest.fixture(scope="session")
def infrastructure() -> Iterator[dict[str, str]]:
    """Where Kafka and PostgreSQL are: env vars from `make test`, or containers when asked for."""
    if os.environ.get("COXSWAIN_TEST_CONTAINERS") == "1":
        from testcontainers.kafka import KafkaContainer
        from testcontainers.postgres import PostgresContainer

        with KafkaContainer("apache/kafka:3.9.1") as kafka, PostgresContainer("postgres:16") as pg:
            yield {"kafka": kafka.get_bootstrap_server(),
                   "pg": pg.get_connection_url().replace("postgresql+psycopg2", "postgresql")}
        return
    yield {
        "kafka": os.environ.get("COXSWAIN_TEST_KAFKA", "127.0.0.1:9092"),
        "pg": os.environ.get("COXSWAIN_TEST_PG_DSN", "postgresql://coxswain:coxswain@127.0.0.1:55432/coxswain_test"),
    }


@pytest.fixture
async def kafka_backend(infrastructure: dict[str, str]) -> AsyncIterator[KafkaBackend]:
    backend = KafkaBackend(infrastructure["kafka"], infrastructure["pg"])
    yield backend
    await backend.close()


@pytest.fixture
async def embedded_backend(tmp_path: Path) -> AsyncIterator[EmbeddedBackend]:
    backend = EmbeddedBackend(tmp_path)
    yield backend
    await backend.close()


@pytest.fixture(params=[pytest.param("embedded", marks=pytest.mark.embedded),
                        pytest.param("kafka", marks=pytest.mark.integration)])
async def backend(request: pytest.FixtureRequest, tmp_path: Path,
                  infrastructure: dict[str, str]) -> AsyncIterator[Backend]:
    chosen: Backend = (EmbeddedBackend(tmp_path) if request.param == "embedded"
                       else KafkaBackend(infrastructure["kafka"], infrastructure["pg"]))
    yield chosen
    await chosen.close()
