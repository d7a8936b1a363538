"""Log lines: RFC 3339 time with its zone, the service on every line, and a storm of identical warnings
collapsed into one line with a count."""
from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider

from shared.events import catalog as ev
from shared.observability.logs import RepeatCollapser, event_context, log_handler, rfc3339
from shared.observability.metrics import ServiceMetrics
from shared.observability.telemetry import ServiceTelemetry, telemetry_scope
from shared.testing import build_event

pytestmark = pytest.mark.unit


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    logger = logging.getLogger("coxswain.test-logs")
    logger.handlers[:] = [log_handler(json_logs=True, service="coxswain", stream=stream)]
    logger.propagate, logger.level = False, logging.INFO
    yield logger, stream
    logger.handlers.clear()


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_rfc3339_with_milliseconds_and_zone() -> None:
    assert rfc3339(1796212800.1234) == "2026-12-02T12:00:00.123+00:00"  # 1796212800 = 2026-12-02T12:00Z


def test_every_line_has_time_level_and_service(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    logger.info("outside any service")
    telemetry = ServiceTelemetry("leads", ServiceMetrics("leads"), TracerProvider())
    with telemetry_scope(telemetry):
        logger.info("inside leads")
    first, second = lines(stream)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", first["time"])
    assert (first["service"], first["level"], first["message"]) == ("coxswain", "INFO", "outside any service")
    assert (second["service"], second["message"]) == ("leads", "inside leads")


def test_a_handled_event_logs_its_ids_and_its_trace(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    metrics = ServiceMetrics("territory")
    event = build_event("coxswain.rep.upserted.v1", subject="ana",
                        data=ev.RepUpserted(rep_id="ana", name="Ana", email="ana@corp.example", capacity=5))
    with telemetry_scope(ServiceTelemetry("territory", metrics, TracerProvider())), event_context(event):
        logger.warning("handling")
    (line,) = lines(stream)
    assert (line["service"], line["event_id"], line["event_type"]) == ("territory", str(event.id), event.type)
    assert re.fullmatch(r"[0-9a-f]{32}", line["trace_id"]) and re.fullmatch(r"[0-9a-f]{16}", line["span_id"])
    assert metrics.registry.get_sample_value("coxswain_handler_seconds_count", {"type": event.type}) == 1


def test_a_repeated_failure_logs_once_per_window_with_a_count() -> None:
    stream, clock = io.StringIO(), FakeMonotonic()
    handler = log_handler(json_logs=True, service="leads", stream=stream)
    handler.filters[-1] = RepeatCollapser(60.0, monotonic=clock)
    logger = logging.getLogger("coxswain.test-storm")
    logger.handlers[:], logger.propagate, logger.level = [handler], False, logging.INFO
    try:
        for attempt in range(20_000):  # a minute of a relay failing against a broker that is away
            logger.warning("outbox relay could not publish; retrying in %.1fs: %s", attempt * 0.1, "refused")
            clock.now += 0.0025
        logger.warning("consumer failed: %s", "refused")  # another message: not swallowed by the first
        logger.info("routine")  # below WARNING: never collapsed
        logger.info("routine")
        clock.now += 10.0  # 20,000 x 2.5 ms = 50 s, + 10 s: the window of 60 s has passed
        logger.warning("outbox relay could not publish; retrying in %.1fs: %s", 5.0, "refused")
    finally:
        logger.handlers.clear()
    out = lines(stream)
    assert [line["message"] for line in out] == [
        "outbox relay could not publish; retrying in 0.0s: refused",
        "consumer failed: refused",
        "routine",
        "routine",
        "outbox relay could not publish; retrying in 5.0s: refused [repeated 19999 times in the last 60 s]",
    ]
    assert out[-1]["repeated"] == 19999
