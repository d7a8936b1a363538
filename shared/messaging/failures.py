"""Why a handler failed: the infrastructure (retry until it passes) or the event itself (dead-letter it).

An infrastructure failure is never the event's fault, so it must never use up the event's attempts: a
PostgreSQL that is restarting ("the database system is starting up", SQLSTATE 57P03), a connection that
dropped, a serialization failure, a deadlock, a lock or statement timeout, a full connection slot list.
The SQLSTATE decides where the driver gives one (asyncpg raises it; SQLAlchemy wraps it as `.orig`, the
asyncpg error being `.orig.__cause__`); without one, the Python type does (sockets, timeouts, SQLite's
"database is locked"). Everything else - validation, domain errors, integrity errors from the event's
data, a handler bug - is the event's content and counts toward the dead-letter limit.
"""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import exc as sa_exc

from shared.errors import StaleWrite

# Whole SQLSTATE classes that are about the server or the connection, never about the statement's data.
TRANSIENT_CLASSES = (
    "08",  # connection exception (refused, dropped, protocol)
    "53",  # insufficient resources (too many connections, out of memory, disk full)
    "58",  # system error (I/O error)
)
TRANSIENT_SQLSTATES = frozenset({
    "57P01",  # admin_shutdown (pg_ctl stop, pg_terminate_backend)
    "57P02",  # crash_shutdown
    "57P03",  # cannot_connect_now (starting up, in recovery)
    "57P05",  # idle_session_timeout
    "57014",  # query_canceled (statement_timeout)
    "40001",  # serialization_failure
    "40P01",  # deadlock_detected
    "40003",  # statement_completion_unknown
    "55P03",  # lock_not_available (lock_timeout, NOWAIT)
    "55006",  # object_in_use
    "25P03",  # idle_in_transaction_session_timeout (our own session was ended)
    "25P04",  # transaction_timeout
})
# Without a SQLSTATE: the network, timeouts, the pool, and SQLite's busy/locked database.
TRANSIENT_TYPES: tuple[type[BaseException], ...] = (
    ConnectionError, TimeoutError, OSError,
    sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError, sa_exc.TimeoutError,
)


def sqlstate_of(exc: BaseException) -> str | None:
    """The first SQLSTATE found on the exception, its driver error (`.orig`) or what caused them."""
    for link in _chain(exc):
        code = getattr(link, "sqlstate", None) or getattr(link, "pgcode", None)
        if isinstance(code, str) and code:
            return code
    return None


def is_transient(exc: BaseException) -> bool:
    """True when the failure comes from the infrastructure: retry without limit, keep the offset."""
    if isinstance(exc, StaleWrite):
        return True  # another transaction won the race for the row: the next attempt reads it fresh
    code = sqlstate_of(exc)
    if code is not None:
        return code in TRANSIENT_SQLSTATES or code[:2] in TRANSIENT_CLASSES
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    return any(isinstance(link, TRANSIENT_TYPES) or _is_driver_interface_error(link) for link in _chain(exc))


# Two transactions that got in each other's way: running the whole transaction again is the documented remedy
# (PostgreSQL manual, "Serialization Failure Handling"); nothing was written, so nothing is done twice.
CONFLICT_SQLSTATES = frozenset({"40001", "40P01"})


def is_conflict(exc: BaseException) -> bool:
    """True for a serialization failure, a deadlock or a lost version race (StaleWrite): the transaction can
    simply be run again."""
    return isinstance(exc, StaleWrite) or sqlstate_of(exc) in CONFLICT_SQLSTATES


_CAUSES = {"40P01": "deadlock", "40001": "serialization", "55P03": "lock_timeout", "57014": "statement_timeout",
           "57P03": "recovery", "57P01": "shutdown", "57P02": "shutdown"}


def cause_of(exc: BaseException) -> str:
    """A transient failure's cause, as the metric `coxswain_transient_failures_total{cause}` names it."""
    if isinstance(exc, StaleWrite):
        return "stale_write"
    code = sqlstate_of(exc)
    return _CAUSES.get(code or "", "connection")


def _is_driver_interface_error(exc: BaseException) -> bool:
    # asyncpg's InterfaceError ("connection is closed", "another operation is in progress") has no SQLSTATE.
    return type(exc).__name__ in {"InterfaceError", "ConnectionDoesNotExistError", "InternalClientError"} and \
        type(exc).__module__.startswith("asyncpg")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        orig = getattr(link, "orig", None)
        link = orig if isinstance(orig, BaseException) else (link.__cause__ or link.__context__)
