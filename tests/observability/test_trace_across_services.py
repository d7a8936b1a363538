"""One trace from a lead's capture (POST /v1/leads on leads) through its routing (territory consumes
lead.created, emits lead.routed) to its assignment (leads consumes lead.routed, emits lead.assigned) and on
to territory's copy of the assignment, on both buses: the W3C context rides on outbox rows, record headers
and the events themselves."""
from __future__ import annotations

from contextlib import AsyncExitStack

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import select

from shared.db.plumbing import outbox
from shared.testing import eventually
from shared.testing.backends import Backend
from shared.testing.harness import RunningService, running_service
from tests.leads.conftest import OPS

# A caller's own trace: everything the capture causes must join it.
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


def _record_spans(service: RunningService) -> InMemorySpanExporter:
    exporter = InMemorySpanExporter()
    service.app.state.telemetry.tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


def _named(exporter: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.name == name]


def _hex(span: ReadableSpan) -> tuple[str, str]:
    assert span.context is not None
    return format(span.context.trace_id, "032x"), format(span.context.span_id, "016x")


async def test_one_trace_from_capture_to_routing_and_assignment(backend: Backend) -> None:
    async with AsyncExitStack() as stack:
        leads = await stack.enter_async_context(running_service(
            "leads", database_url=await backend.database_url("leads"), platform=backend.platform,
            embedded_bus=backend.embedded_bus, sla_sweep_seconds=3600))
        territory = await stack.enter_async_context(running_service(
            "territory", database_url=await backend.database_url("territory"), platform=backend.platform,
            embedded_bus=backend.embedded_bus))
        leads_spans, territory_spans = _record_spans(leads), _record_spans(territory)
        rep = {"id": "ana", "name": "Ana", "email": "ana@corp.example", "capacity": 5}
        assert (await territory.client.post("/v1/reps", headers=OPS, json=rep)).status_code == 201
        emea = {"id": "emea", "name": "EMEA", "rep_ids": ["ana"],
                "rules": [{"conditions": [{"field": "country", "op": "in", "value": ["DE"]}]}]}
        assert (await territory.client.post("/v1/territories", headers=OPS, json=emea)).status_code == 201

        created = await leads.client.post("/v1/leads", headers={**OPS, "traceparent": CALLER}, json={
            "email": "cto@prospect.example", "name": "Pat", "country": "DE", "source": "demo_request"})
        assert created.status_code == 201, created.text
        lead_id = created.json()["lead"]["id"]
        assert created.headers["x-trace-id"] == TRACE_ID

        async def copied_assignment() -> list[ReadableSpan]:
            return _named(territory_spans, "process coxswain.lead.assigned.v1")

        await eventually(copied_assignment, until=lambda spans: any(_hex(s)[0] == TRACE_ID for s in spans))

        capture = next(s for s in leads_spans.get_finished_spans() if s.kind.name == "SERVER"
                       and s.name.startswith("POST"))
        routing = next(s for s in _named(territory_spans, "process coxswain.lead.created.v1")
                       if _hex(s)[0] == TRACE_ID)
        assignment = next(s for s in _named(leads_spans, "process coxswain.lead.routed.v1")
                          if _hex(s)[0] == TRACE_ID)
        # Each hop is the child of the one before: capture -> routing (territory) -> assignment (leads).
        assert _hex(capture)[0] == TRACE_ID
        untraced = await leads.client.post("/v1/leads", headers=OPS, json={"email": "cfo@prospect.example"})
        assert untraced.headers["x-trace-id"] == next(  # a trace of its own, and the answer names it
            _hex(s)[0] for s in leads_spans.get_finished_spans() if s.kind.name == "SERVER" and _hex(s)[0] != TRACE_ID)
        assert routing.parent is not None and routing.parent.span_id == capture.context.span_id
        assert assignment.parent is not None and assignment.parent.span_id == routing.context.span_id
        assert dict(assignment.attributes or {})["messaging.message.id"]
        assert dict(routing.resource.attributes)["service.name"] == "coxswain-territory"

        # The outbox row of lead.assigned carries the consumer span's context, and so does its record header.
        async with leads.runtime.sessions() as session:
            row = (await session.execute(select(outbox.c.event_id, outbox.c.traceparent).where(
                outbox.c.event_type == "coxswain.lead.assigned.v1", outbox.c.key == lead_id))).one()
        assert row.traceparent == f"00-{TRACE_ID}-{_hex(assignment)[1]}-01"
        records = await backend.read_topic(backend.topic("coxswain.leads"))
        assigned = next(r for r in records if row.event_id.encode() in (r.value or b""))
        assert dict(assigned.headers)["traceparent"] == row.traceparent.encode()
