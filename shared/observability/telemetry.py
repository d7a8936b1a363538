"""Which service is in hand: its name, metrics and tracer, for log lines, handler timings and spans.

Five services can share one process (`coxswain up`), so this is a context variable: the app sets it for
each request, and around the runtime's start so the relay, consumer and workers it starts inherit it.
"""
from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Tracer
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.events.envelope import CloudEvent
from shared.observability.metrics import ServiceMetrics
from shared.observability.tracing import consuming_span, start_consuming_span


@dataclass(frozen=True)
class ServiceTelemetry:
    service: str
    metrics: ServiceMetrics
    tracer_provider: TracerProvider

    @property
    def tracer(self) -> Tracer:
        return self.tracer_provider.get_tracer("coxswain")


_current: contextvars.ContextVar[ServiceTelemetry | None] = contextvars.ContextVar("coxswain_service", default=None)


def current_telemetry() -> ServiceTelemetry | None:
    return _current.get()


@contextmanager
def telemetry_scope(telemetry: ServiceTelemetry) -> Iterator[None]:
    token = _current.set(telemetry)
    try:
        yield
    finally:
        _current.reset(token)


@contextmanager
def event_telemetry(event: CloudEvent) -> Iterator[None]:
    """Around one event's handling: a consumer span (child of the emitter's trace) and the handler timing."""
    telemetry = current_telemetry()
    tracer = telemetry.tracer if telemetry else trace.get_tracer("coxswain")
    started = time.perf_counter()
    try:
        with consuming_span(tracer, event):
            yield
    finally:
        if telemetry is not None:
            telemetry.metrics.handler_seconds.labels(type=event.type).observe(time.perf_counter() - started)


@contextmanager
def run_telemetry(events: Sequence[CloudEvent]) -> Iterator[None]:
    """Around a batch handler's run: a consumer span for every event (each a child of its own emitter's trace;
    the first is the current one, so what the run emits carries its trace on) and each event's share of the
    run's time in the handler timing (one observation per event, as one-at-a-time handling gives)."""
    telemetry = current_telemetry()
    tracer = telemetry.tracer if telemetry else trace.get_tracer("coxswain")
    started = time.perf_counter()
    others = [start_consuming_span(tracer, event) for event in events[1:]]
    try:
        with consuming_span(tracer, events[0]):
            yield
    finally:
        for span in others:
            span.end()
        if telemetry is not None:
            share = (time.perf_counter() - started) / len(events)
            for event in events:
                telemetry.metrics.handler_seconds.labels(type=event.type).observe(share)


class TelemetryScope:
    """ASGI middleware: every request's log lines and spans belong to this app's service."""

    def __init__(self, app: ASGIApp, telemetry: ServiceTelemetry) -> None:
        self.app, self.telemetry = app, telemetry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with telemetry_scope(self.telemetry):
            await self.app(scope, receive, send)
