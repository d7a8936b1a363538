"""A unit of work over an in-memory SQLite database: the fake that handler and command unit tests use.

The service's real repositories run against it (the tables are created from the service's own metadata
beside the plumbing tables), so a test drives a handler or a command exactly as the consumer or a route
does and asserts on the outcome - the rows kept and the events emitted - in milliseconds, with no broker
and no server. (cosmicpython `tests/unit/test_handlers.py`, with SQLite standing in for the fake repository.)
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import StaticPool

from shared.clock import Clock
from shared.db.engine import make_session_factory
from shared.db.plumbing import plumbing_metadata
from shared.db.uow import UnitOfWork, UnitOfWorkFactory
from shared.events import CloudEvent, new_event


@asynccontextmanager
async def memory_units(service: str, metadata: MetaData | Sequence[MetaData], clock: Clock,
                       ) -> AsyncIterator[UnitOfWorkFactory]:
    """Units of work of `service` over one private in-memory database, for the length of the block."""
    engine = create_async_engine("sqlite+aiosqlite://", poolclass=StaticPool,
                                 connect_args={"check_same_thread": False})
    tables = [metadata] if isinstance(metadata, MetaData) else list(metadata)
    async with engine.begin() as connection:
        for schema in [plumbing_metadata, *tables]:
            await connection.run_sync(schema.create_all)
    sessions = make_session_factory(engine)
    try:
        yield lambda: UnitOfWork(sessions, service=service, clock=clock)
    finally:
        await engine.dispose()


def incoming(event_type: str, data: Any, *, subject: str, clock: Clock, sequence: int = 1,
             source: str = "test") -> CloudEvent:
    """An event as a consumer receives it, built from its catalog model (for handler tests)."""
    return new_event(type=event_type, source_service=source, subject=subject, data=data, time=clock.now(),
                     sequence=sequence)
