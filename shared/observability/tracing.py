"""W3C trace context with OpenTelemetry: HTTP request -> outbox row -> record header -> consumer -> its events.

Every service has its own tracer provider (five services may share a process), always recording so trace
ids reach logs and outbox rows; spans leave the process only when OTEL_EXPORTER_OTLP_ENDPOINT is set.
The relay sends on behalf of many requests at once, so the context that travels is the one stored on each
outbox row, not the relay's own: that is why aiokafka's instrumentation (which injects the sender's
context) is not used. The context also rides in the event itself as the CloudEvents distributed-tracing
extension attribute `traceparent`, so it survives dead-lettering, redrive and replay.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.events.envelope import CloudEvent

TRACEPARENT_HEADER = "traceparent"
_propagator = TraceContextTextMapPropagator()


def tracer_provider_for(service: str, *, otlp_endpoint: str | None,
                        processors: tuple[SpanProcessor, ...] = ()) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create({"service.name": f"coxswain-{service}",
                                                        "service.namespace": "coxswain"}))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(
            endpoint=f"{otlp_endpoint.rstrip('/')}/v1/traces")))
    for processor in processors:
        provider.add_span_processor(processor)
    return provider


def current_traceparent() -> str | None:
    """The `traceparent` of the span in hand (a request's, a consumed event's), or None outside any."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get(TRACEPARENT_HEADER)


def context_of(traceparent: str | None) -> Context:
    """The remote parent a `traceparent` names; an empty context (a new trace) when there is none."""
    if not traceparent:
        return Context()
    return _propagator.extract({TRACEPARENT_HEADER: traceparent}, context=Context())


def traceparent_of(event: CloudEvent) -> str | None:
    value = (event.model_extra or {}).get(TRACEPARENT_HEADER)
    return value if isinstance(value, str) else None


@contextmanager
def consuming_span(tracer: Tracer, event: CloudEvent) -> Iterator[Span]:
    """A consumer span, child of the context that emitted the event; events emitted inside carry it on.
    Few attributes: each costs microseconds on every event."""
    attributes = {"messaging.message.id": str(event.id), "cloudevents.event_type": event.type,
                  "cloudevents.event_subject": event.subject}
    with tracer.start_as_current_span(f"process {event.type}", context=context_of(traceparent_of(event)),
                                      kind=SpanKind.CONSUMER, attributes=attributes) as span:
        yield span


def start_consuming_span(tracer: Tracer, event: CloudEvent) -> Span:
    """The same consumer span, started without becoming the current one (the other events of a batch run)."""
    attributes = {"messaging.message.id": str(event.id), "cloudevents.event_type": event.type,
                  "cloudevents.event_subject": event.subject}
    return tracer.start_span(f"process {event.type}", context=context_of(traceparent_of(event)),
                             kind=SpanKind.CONSUMER, attributes=attributes)


def current_trace_ids() -> tuple[str, str] | None:
    """(trace id, span id) in hex of the span in hand, for log lines."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")
