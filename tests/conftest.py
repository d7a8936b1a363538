"""Fixtures: the real Kafka and PostgreSQL started by `make test` (or testcontainers where Docker runs),
and the embedded bus; the `backend` fixture runs a test on both.

Every test is marked with its kind here, from what it uses (see `kind_of`), so `pytest -m unit` needs no
broker, no database server, no helm and no npm, and `-m "not integration"` no broker either. A kind marker
written by hand is read only where the fixtures cannot tell (a test reaching Kafka without a fixture says
`integration`); one that contradicts the fixtures is dropped.
"""
from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
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
async def postgres_database(infrastructure: dict[str, str]) -> AsyncIterator[Callable[[str], Awaitable[str]]]:
    """Fresh, empty PostgreSQL databases (`await postgres_database("forecast")` -> an asyncpg URL), dropped after."""
    databases = KafkaBackend("unused:9092", infrastructure["pg"])  # creates and drops databases, touches no broker
    yield databases.database_url
    await databases.close()


@pytest.fixture
async def embedded_backend(tmp_path: Path) -> AsyncIterator[EmbeddedBackend]:
    backend = EmbeddedBackend(tmp_path)
    yield backend
    await backend.close()


@pytest.fixture(params=["embedded", "kafka"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    chosen: Backend
    if request.param == "embedded":
        chosen = EmbeddedBackend(tmp_path)
    else:  # asked for only here: the embedded run starts no container and reads no infrastructure setting
        infrastructure: dict[str, str] = request.getfixturevalue("infrastructure")
        chosen = KafkaBackend(infrastructure["kafka"], infrastructure["pg"])
    yield chosen
    await chosen.close()


# What a test needs, by fixture: a broker or a database server (the `backend` runs whole services, on either bus).
INFRASTRUCTURE_FIXTURES = frozenset({"infrastructure", "kafka_backend", "backend", "postgres_database",
                                     "private_broker", "private_postgres", "start_cluster"})
KINDS = ("unit", "embedded", "contract", "integration", "faults", "deploy", "clients")
WRITTEN_KINDS = ("unit", "embedded", "integration", "contract")
TESTS = Path(__file__).parent


def kind_of(item: pytest.Item) -> tuple[str, ...]:
    """The kind of one test, from where it is and which fixtures it uses (their dependencies included)."""
    parts = item.path.relative_to(TESTS).parts if item.path.is_relative_to(TESTS) else ()
    area = parts[0] if len(parts) > 1 else ""
    fixtures = set(getattr(item, "fixturenames", ()))
    if area == "faults":
        return ("faults", "integration")
    if "backend" in fixtures:  # whole services on both buses; the embedded run needs no infrastructure
        on_embedded = getattr(getattr(item, "callspec", None), "params", {}).get("backend") == "embedded"
        return ("integration", "embedded") if on_embedded else ("integration",)
    if fixtures & INFRASTRUCTURE_FIXTURES:
        return ("integration",)
    if "helm" in fixtures:
        return ("deploy",)  # the helm binary, built once per machine (make helm)
    if area == "clients":
        return ("clients",)  # Node.js and npm
    if "embedded_backend" in fixtures:
        return ("embedded",)  # whole services on the embedded bus and SQLite files: no server, but not seconds
    written = next((m.name for m in item.iter_markers() if m.name in WRITTEN_KINDS), None)
    if written is not None:  # the closest one written by hand (the function's before its module's)
        return (written,)
    return ("contract",) if area == "contract" else ("unit",)


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test gets exactly its kind: a kind written by hand that contradicts what the test uses is dropped."""
    kinds = [kind_of(item) for item in items]
    for node in {node for item in items for node in item.listchain()}:
        node.own_markers[:] = [m for m in node.own_markers if m.name not in KINDS]
    for item, kind in zip(items, kinds, strict=True):
        for name in kind:
            item.add_marker(name)
