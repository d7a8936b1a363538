"""Structured logs: RFC 3339 time with its zone, the service, the event id and the trace id of what is in hand.

A failure that repeats (the broker is away, every retry fails the same way) is written once per window
with a count, not twenty thousand times a minute.
"""
from __future__ import annotations

import contextlib
import contextvars
import logging
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from shared.events.envelope import CloudEvent
from shared.observability.telemetry import current_telemetry, event_telemetry, run_telemetry
from shared.observability.tracing import current_trace_ids

_context: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("coxswain_log_context", default=None)


@contextlib.contextmanager
def log_context(**fields: str) -> Iterator[None]:
    token = _context.set({**(_context.get() or {}), **fields})
    try:
        yield
    finally:
        _context.reset(token)


@contextlib.contextmanager
def event_context(event: CloudEvent) -> Iterator[None]:
    """Around one event's handling: its ids on every log line, a consumer span, the handler timing."""
    with event_telemetry(event), log_context(event_id=str(event.id), event_type=event.type, subject=event.subject):
        yield


@contextlib.contextmanager
def run_context(events: Sequence[CloudEvent]) -> Iterator[None]:
    """Around a batch handler's run of events: spans and timing per event (run_telemetry); log lines name the
    first event and how many the run holds."""
    first = events[0]
    with run_telemetry(events), log_context(event_id=str(first.id), event_type=first.type, subject=first.subject,
                                            run=str(len(events))):
        yield


def rfc3339(created: float) -> str:
    """`2026-12-02T11:40:00.123+00:00`: milliseconds and an explicit zone, as log stores expect."""
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")


class ContextFields(logging.Filter):
    """Adds the service, the trace and the fields of `log_context` to every record."""

    def __init__(self, default_service: str) -> None:
        super().__init__()
        self._default_service = default_service

    def filter(self, record: logging.LogRecord) -> bool:
        telemetry = current_telemetry()
        record.service = telemetry.service if telemetry else self._default_service
        for key, value in (_context.get() or {}).items():
            setattr(record, key, value)
        ids = current_trace_ids()
        if ids is not None:  # the span in hand wins over a request header's id
            record.trace_id, record.span_id = ids
        return True


@dataclass
class _Window:
    opened: float
    suppressed: int = 0


class RepeatCollapser(logging.Filter):
    """Lets the first of identical warnings through, swallows the rest for `window` seconds, and adds
    "[repeated N times ...]" to the first one after the window. Identical = same service, logger, level and
    message template (the arguments, a backoff or an exception text, may differ)."""

    def __init__(self, window_seconds: float = 60.0, *, min_level: int = logging.WARNING,
                 monotonic: Callable[[], float] = time.monotonic, max_keys: int = 1000) -> None:
        super().__init__()
        self.window, self.min_level = window_seconds, min_level
        self._now, self._max_keys = monotonic, max_keys
        self._windows: dict[tuple[str, str, int, str], _Window] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < self.min_level:
            return True
        key = (str(getattr(record, "service", "")), record.name, record.levelno, str(record.msg))
        now = self._now()
        window = self._windows.get(key)
        if window is not None and now - window.opened < self.window:
            window.suppressed += 1
            return False
        self._forget_old(now)
        self._windows[key] = _Window(opened=now)
        if window is not None and window.suppressed:
            record.msg = f"{record.msg} [repeated {window.suppressed} times in the last {self.window:g} s]"
            record.repeated = window.suppressed
        return True

    def _forget_old(self, now: float) -> None:
        if len(self._windows) >= self._max_keys:  # messages built with f-strings must not grow this forever
            self._windows = {k: w for k, w in self._windows.items() if now - w.opened < self.window}


class _Rfc3339Json(JsonFormatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return rfc3339(record.created)


class _Rfc3339Text(logging.Formatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return rfc3339(record.created)


def log_handler(*, json_logs: bool = True, service: str = "coxswain", repeat_window_seconds: float = 60.0,
                stream: Any = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(ContextFields(service))
    handler.addFilter(RepeatCollapser(repeat_window_seconds))
    fmt: logging.Formatter = (
        _Rfc3339Json("%(asctime)s %(levelname)s %(service)s %(name)s %(message)s",
                     rename_fields={"levelname": "level", "asctime": "time"})
        if json_logs
        else _Rfc3339Text("%(asctime)s %(levelname)s %(service)s %(name)s %(message)s")
    )
    handler.setFormatter(fmt)
    return handler


def configure_logging(level: str = "INFO", *, json_logs: bool = True, service: str = "coxswain",
                      repeat_window_seconds: float = 60.0) -> None:
    root = logging.getLogger()
    root.handlers[:] = [log_handler(json_logs=json_logs, service=service, repeat_window_seconds=repeat_window_seconds)]
    root.setLevel(level)
    for noisy in ("aiokafka", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
