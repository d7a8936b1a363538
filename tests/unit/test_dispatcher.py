"""The dispatcher's guarantees, on SQLite: one effect per event id, stale skipped, poison and failures
dead-lettered with a reason, infrastructure failures (by SQLSTATE, as asyncpg and SQLAlchemy raise them)
retried until they pass, unknown event types ignored and counted."""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import Column, MetaData, String, Table, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection, AsyncAdapt_asyncpg_dbapi
from sqlalchemy.exc import OperationalError

from shared.clock import FixedClock
from shared.db.engine import make_engine, make_session_factory
from shared.db.plumbing import plumbing_metadata
from shared.db.types import ExactDecimal
from shared.db.uow import UnitOfWork
from shared.events import CloudEvent, PoisonEvent, encode_event
from shared.events.catalog import QuotaSet
from shared.messaging.dispatch import EventDispatcher, batch_handler
from shared.observability.metrics import ServiceMetrics
from shared.testing import build_event

meta = MetaData()
quotas = Table("quotas", meta, Column("rep_id", String, primary_key=True), Column("amount", ExactDecimal(20, 2)))
CLOCK = FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC))


async def _setup(tmp_path: Path, handler):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'd.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(plumbing_metadata.create_all)
        await conn.run_sync(meta.create_all)
    sessions = make_session_factory(engine)

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions, service="forecast", clock=CLOCK)

    dispatcher = EventDispatcher("forecast", {"coxswain.quota.set.v1": handler}, uow, metrics=ServiceMetrics("t"),
                                 first_backoff=0.001)
    return engine, dispatcher


async def _add_quota(event: CloudEvent, uow: UnitOfWork) -> None:
    row = (await uow.session.execute(select(quotas.c.amount).where(quotas.c.rep_id == event.data.rep_id))).first()
    total = (row.amount if row else Decimal(0)) + event.data.amount
    await uow.session.execute(quotas.delete().where(quotas.c.rep_id == event.data.rep_id))
    await uow.session.execute(quotas.insert().values(rep_id=event.data.rep_id, amount=total))


def _quota(amount: str, sequence: int) -> CloudEvent:
    return build_event("coxswain.quota.set.v1", QuotaSet(rep_id="rep-1", period="2026-Q4", amount=Decimal(amount),
                                                          currency="EUR"), subject="rep-1", sequence=sequence)


async def _total(engine) -> Decimal | None:  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        return (await conn.execute(select(quotas.c.amount))).scalar_one_or_none()


async def test_the_same_event_twice_has_one_effect(tmp_path: Path) -> None:
    engine, dispatcher = await _setup(tmp_path, _add_quota)
    event = _quota("100.00", 1)
    assert (await dispatcher.dispatch(encode_event(event))).kind == "handled"
    assert (await dispatcher.dispatch(encode_event(event))).kind == "duplicate"
    assert await _total(engine) == Decimal("100.00")  # not 200.00


async def test_an_older_sequence_arriving_late_is_skipped(tmp_path: Path) -> None:
    engine, dispatcher = await _setup(tmp_path, _add_quota)
    assert (await dispatcher.dispatch(encode_event(_quota("100.00", 2)))).kind == "handled"
    assert (await dispatcher.dispatch(encode_event(_quota("7.00", 1)))).kind == "stale"
    assert (await dispatcher.dispatch(encode_event(_quota("5.00", 3)))).kind == "handled"
    assert await _total(engine) == Decimal("105.00")  # 100.00 + 5.00; the stale 7.00 never lands


async def test_poison_is_dead_lettered_with_its_reason(tmp_path: Path) -> None:
    _, dispatcher = await _setup(tmp_path, _add_quota)
    outcome = await dispatcher.dispatch(b"{not json")
    assert outcome.kind == "dead_letter" and outcome.reason.startswith("not JSON")


async def test_a_handler_that_keeps_failing_is_dead_lettered_after_three_attempts(tmp_path: Path) -> None:
    calls = []

    async def broken(event: CloudEvent, uow: UnitOfWork) -> None:
        calls.append(event.id)
        await _add_quota(event, uow)
        raise ValueError("quota currency unknown")

    engine, dispatcher = await _setup(tmp_path, broken)
    outcome = await dispatcher.dispatch(encode_event(_quota("100.00", 1)))
    assert outcome.kind == "dead_letter" and "quota currency unknown" in outcome.reason
    assert len(calls) == 3
    assert await _total(engine) is None  # every attempt rolled back


async def test_a_handler_may_declare_an_event_poison(tmp_path: Path) -> None:
    async def refuses(event: CloudEvent, uow: UnitOfWork) -> None:
        raise PoisonEvent("period 2026-Q4 is closed")

    _, dispatcher = await _setup(tmp_path, refuses)
    outcome = await dispatcher.dispatch(encode_event(_quota("1.00", 1)))
    assert (outcome.kind, outcome.reason) == ("dead_letter", "period 2026-Q4 is closed")


async def test_transient_database_errors_are_retried_until_they_pass(tmp_path: Path) -> None:
    failures = iter(range(5))

    async def flaky(event: CloudEvent, uow: UnitOfWork) -> None:
        if next(failures, None) is not None:
            raise OperationalError("SELECT 1", {}, Exception("database is locked"))
        await _add_quota(event, uow)

    engine, dispatcher = await _setup(tmp_path, flaky)
    assert (await dispatcher.dispatch(encode_event(_quota("100.00", 1)))).kind == "handled"  # after 5 failures
    assert await _total(engine) == Decimal("100.00")


async def test_types_without_a_handler_are_ignored(tmp_path: Path) -> None:
    _, dispatcher = await _setup(tmp_path, _add_quota)
    other = build_event("coxswain.quota.set.v1", QuotaSet(rep_id="r", period="2026", amount=Decimal(1),
                                                           currency="EUR"), subject="r")
    dispatcher.handlers = {}
    assert (await dispatcher.dispatch(encode_event(other))).kind == "ignored"


async def test_a_batch_commits_together_and_keeps_every_guarantee(tmp_path: Path) -> None:
    engine, dispatcher = await _setup(tmp_path, _add_quota)
    first, second = _quota("100.00", 1), _quota("20.00", 2)
    raws = [encode_event(first), b"garbage", encode_event(first), encode_event(second), encode_event(_quota("9.00", 1))]
    outcomes = await dispatcher.dispatch_many(raws)
    assert [o.kind for o in outcomes] == ["handled", "dead_letter", "duplicate", "handled", "stale"]
    assert await _total(engine) == Decimal("120.00")  # 100.00 + 20.00


async def test_a_failing_event_in_a_batch_does_not_take_the_others_down(tmp_path: Path) -> None:
    async def picky(event: CloudEvent, uow: UnitOfWork) -> None:
        if event.data.amount == Decimal("13.00"):
            raise ValueError("unlucky amount")
        await _add_quota(event, uow)

    engine, dispatcher = await _setup(tmp_path, picky)
    raws = [encode_event(_quota(a, n)) for n, a in enumerate(("1.00", "13.00", "2.00"), start=1)]
    assert [o.kind for o in await dispatcher.dispatch_many(raws)] == ["handled", "dead_letter", "handled"]
    assert await _total(engine) == Decimal("3.00")  # 1.00 + 2.00, each applied exactly once


async def test_a_team_and_a_territory_sharing_an_id_keep_separate_sequences(tmp_path: Path) -> None:
    from shared.events.catalog import TeamUpserted, TerritoryUpserted

    handled: list[str] = []

    async def note(event: CloudEvent, uow: UnitOfWork) -> None:
        handled.append(event.type)

    _, dispatcher = await _setup(tmp_path, note)
    dispatcher.handlers = {"coxswain.team.upserted.v1": note, "coxswain.territory.upserted.v1": note}
    team = build_event("coxswain.team.upserted.v1", TeamUpserted(team_id="emea", name="EMEA"), subject="emea",
                       sequence=2)
    territory = build_event("coxswain.territory.upserted.v1", TerritoryUpserted(territory_id="emea", name="EMEA"),
                            subject="emea", sequence=1)
    outcomes = [await dispatcher.dispatch(encode_event(e)) for e in (team, territory)]
    assert [o.kind for o in outcomes] == ["handled", "handled"]  # not "stale": different aggregates
    assert handled == ["coxswain.team.upserted.v1", "coxswain.territory.upserted.v1"]


# --- failures classified by cause ---------------------------------------------------------------------------
DBAPI = AsyncAdapt_asyncpg_dbapi(asyncpg)


def _as_it_arrives(error: Exception) -> BaseException:
    """An asyncpg error the way a handler sees it: translated by SQLAlchemy's asyncpg adapter (keeping its
    SQLSTATE), then wrapped as a SQLAlchemy DBAPIError."""
    try:
        try:
            raise error
        except Exception as raw:
            AsyncAdapt_asyncpg_connection._handle_exception_no_connection(DBAPI, raw)
    except DBAPI.Error as adapted:
        return sa_exc.DBAPIError.instance("UPDATE quotas SET amount = $1", {}, adapted, DBAPI.Error)
    raise AssertionError("the adapter always raises")


PG = asyncpg.exceptions
INFRASTRUCTURE = {
    "57P03 starting up": _as_it_arrives(PG.CannotConnectNowError("the database system is starting up")),
    "57P03 in recovery": _as_it_arrives(PG.CannotConnectNowError("the database system is not yet accepting "
                                                                 "connections")),
    "57P01 admin shutdown": _as_it_arrives(PG.AdminShutdownError("terminating connection due to administrator "
                                                                 "command")),
    "40001 serialization": _as_it_arrives(PG.SerializationError("could not serialize access")),
    "40P01 deadlock": _as_it_arrives(PG.DeadlockDetectedError("deadlock detected")),
    "55P03 lock timeout": _as_it_arrives(PG.LockNotAvailableError("canceling statement due to lock timeout")),
    "57014 statement timeout": _as_it_arrives(PG.QueryCanceledError("canceling statement due to statement "
                                                                    "timeout")),
    "08003 connection gone": _as_it_arrives(PG.ConnectionDoesNotExistError("connection was closed in the "
                                                                            "middle of operation")),
    "53300 too many connections": _as_it_arrives(PG.TooManyConnectionsError("too many clients already")),
    "asyncpg connection closed": _as_it_arrives(PG.InterfaceError("connection is closed")),
    "connection refused": ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"),
    "sqlite locked": sa_exc.OperationalError("UPDATE", {}, Exception("database is locked")),
}
CONTENT = {
    "23505 unique violation": _as_it_arrives(PG.UniqueViolationError("duplicate key value")),
    "22003 numeric out of range": _as_it_arrives(PG.NumericValueOutOfRangeError("numeric field overflow")),
    "domain error": ValueError("quota currency unknown"),
}


@pytest.mark.parametrize("failure", INFRASTRUCTURE.values(), ids=INFRASTRUCTURE.keys())
async def test_infrastructure_failures_are_retried_beyond_the_dead_letter_limit(tmp_path: Path,
                                                                                failure: BaseException) -> None:
    calls = []

    async def flaky(event: CloudEvent, uow: UnitOfWork) -> None:
        calls.append(1)
        if len(calls) <= 7:  # more than the 3 attempts an event's own failure gets
            raise failure
        await _add_quota(event, uow)

    engine, dispatcher = await _setup(tmp_path, flaky)
    assert (await dispatcher.dispatch(encode_event(_quota("100.00", 1)))).kind == "handled"
    assert len(calls) == 8  # 7 failures, then the attempt that passed
    assert await _total(engine) == Decimal("100.00")


@pytest.mark.parametrize("failure", CONTENT.values(), ids=CONTENT.keys())
async def test_failures_of_the_event_itself_are_dead_lettered_after_three_attempts(
        tmp_path: Path, failure: BaseException) -> None:
    calls = []

    async def refusing(event: CloudEvent, uow: UnitOfWork) -> None:
        calls.append(1)
        raise failure

    _, dispatcher = await _setup(tmp_path, refusing)
    outcome = await dispatcher.dispatch(encode_event(_quota("100.00", 1)))
    assert outcome.kind == "dead_letter" and len(calls) == 3


async def test_a_batch_that_meets_a_database_in_recovery_is_retried_whole(tmp_path: Path) -> None:
    calls = []

    async def recovering(event: CloudEvent, uow: UnitOfWork) -> None:
        calls.append(event.sequence)
        if len(calls) <= 4:
            raise INFRASTRUCTURE["57P03 starting up"]
        await _add_quota(event, uow)

    engine, dispatcher = await _setup(tmp_path, recovering)
    raws = [encode_event(_quota(a, n)) for n, a in enumerate(("1.00", "2.00", "4.00"), start=1)]
    assert [o.kind for o in await dispatcher.dispatch_many(raws)] == ["handled", "handled", "handled"]
    assert calls == [1, 1, 1, 1, 1, 2, 3]  # the batch failed four times on its first event, then passed whole
    assert await _total(engine) == Decimal("7.00")  # 1.00 + 2.00 + 4.00, once each


# --- event types this consumer does not know -----------------------------------------------------------------
def _unknown(event_type: str, data: object) -> bytes:
    known = json.loads(encode_event(_quota("1.00", 1)))
    return json.dumps({**known, "type": event_type, "data": data}).encode()


async def test_a_newer_version_of_a_known_event_is_ignored_and_counted_never_dead_lettered(tmp_path: Path) -> None:
    _, dispatcher = await _setup(tmp_path, _add_quota)
    v2 = _unknown("coxswain.deal.closed.v3", {"deal_id": "d-1", "outcome": {"won": True}})
    never_heard_of = _unknown("coxswain.lead.teleported.v1", None)
    assert (await dispatcher.dispatch(v2)).kind == "ignored"
    assert [o.kind for o in await dispatcher.dispatch_many([never_heard_of, v2, encode_event(_quota("5.00", 2))])] \
        == ["ignored", "ignored", "handled"]
    ignored = dispatcher._metrics.events_ignored
    assert ignored.labels(type="coxswain.deal.closed.v3")._value.get() == 2
    assert ignored.labels(type="coxswain.lead.teleported.v1")._value.get() == 1


async def test_a_known_type_with_broken_data_or_a_broken_envelope_still_goes_to_the_dead_letters(
        tmp_path: Path) -> None:
    _, dispatcher = await _setup(tmp_path, _add_quota)
    bad_data = _unknown("coxswain.quota.set.v1", {"rep_id": "rep-1"})  # a type we handle, missing its amount
    no_id = json.dumps({k: v for k, v in json.loads(_unknown("coxswain.deal.closed.v3", {})).items()
                        if k != "id"}).encode()
    outcomes = [await dispatcher.dispatch(raw) for raw in (bad_data, no_id, b"[1, 2]")]
    assert [o.kind for o in outcomes] == ["dead_letter"] * 3
    assert outcomes[0].reason.startswith("invalid data for coxswain.quota.set.v1")


async def test_a_batch_handler_gets_the_batchs_runs_of_its_events_once_each_and_in_order(tmp_path: Path) -> None:
    runs: list[list[str]] = []

    @batch_handler
    async def add_quotas(events: Sequence[CloudEvent], uow: UnitOfWork) -> None:
        runs.append([str(e.data.amount) for e in events])
        for event in events:
            await _add_quota(event, uow)

    engine, dispatcher = await _setup(tmp_path, add_quotas)
    first = _quota("100.00", 1)
    raws = [encode_event(first), encode_event(_quota("20.00", 2)), encode_event(first), b"garbage",
            encode_event(_quota("9.00", 1)), encode_event(_quota("3.00", 3))]
    outcomes = await dispatcher.dispatch_many(raws)
    assert [o.kind for o in outcomes] == ["handled", "handled", "duplicate", "dead_letter", "stale", "handled"]
    # one call for the whole batch: the duplicate and the stale one never reach it, the rest keep their order
    assert runs == [["100.00", "20.00", "3.00"]]
    assert await _total(engine) == Decimal("123.00")


async def test_a_batch_handler_that_fails_falls_back_to_one_event_at_a_time(tmp_path: Path) -> None:
    runs: list[list[str]] = []

    @batch_handler
    async def picky(events: Sequence[CloudEvent], uow: UnitOfWork) -> None:
        runs.append([str(e.data.amount) for e in events])
        if any(e.data.amount == Decimal("13.00") for e in events):
            raise ValueError("unlucky amount")
        for event in events:
            await _add_quota(event, uow)

    engine, dispatcher = await _setup(tmp_path, picky)
    raws = [encode_event(_quota(a, n)) for n, a in enumerate(("1.00", "13.00", "2.00"), start=1)]
    assert [o.kind for o in await dispatcher.dispatch_many(raws)] == ["handled", "dead_letter", "handled"]
    assert runs[0] == ["1.00", "13.00", "2.00"]  # the batch, then each on its own (13.00 three times)
    assert runs[1:] == [["1.00"], ["13.00"], ["13.00"], ["13.00"], ["2.00"]]
    assert await _total(engine) == Decimal("3.00")
