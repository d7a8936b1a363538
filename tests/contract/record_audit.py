"""Every record the services publish during the test run is checked against its payload schema in the
AsyncAPI document (shared.events.asyncapi), strictly: no field outside the catalog, sequence a 20-digit string,
money a decimal string, the record key the subject, the content-type header set.

A pytest plugin (tests/conftest.py loads it): for the whole session the outbox relay of every runtime built
from an installed service's SPEC is wrapped by an auditor, and a test during which a service published a record
that does not match fails at teardown, naming the record and the broken rule. Synthetic runtimes that tests
assemble from their own ServiceSpec (the spine's tally service) and services run as subprocesses are outside it.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import jsonschema_rs
import pytest

from shared.events.asyncapi import asyncapi_document, message_id
from shared.events.envelope import CONTENT_TYPE
from shared.events.registry import REGISTRY, topic_for
from shared.messaging.records import OutgoingRecord, Publisher
from shared.operations.installed import UnknownService, installed_service
from shared.runtime import ServiceRuntime, ServiceSpec


def strict(schemas: dict[str, Any]) -> dict[str, Any]:
    """The document's schemas with every declared object closed: a field the catalog does not declare fails.
    (The published document leaves them open: a consumer must tolerate fields added later.)"""
    closed = copy.deepcopy(schemas)

    def close(node: Any) -> None:
        if isinstance(node, dict):
            if "properties" in node and node.get("additionalProperties", True) is True:
                node["additionalProperties"] = False
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(closed)
    return closed


@dataclass
class RecordAudit:
    checked: int = 0
    violations: list[str] = field(default_factory=list)

    @cached_property
    def _validators(self) -> dict[str, jsonschema_rs.Validator]:
        schemas = strict(asyncapi_document([])["components"]["schemas"])
        return {t: jsonschema_rs.Draft7Validator({"components": {"schemas": schemas},
                                                  "$ref": f"#/components/schemas/{message_id(t)}_event"})
                for t in REGISTRY}

    def check(self, records: Sequence[OutgoingRecord]) -> None:
        for record in records:
            self.checked += 1
            problems = self.problems(record)
            if problems:
                self.violations.append(f"{record.topic} key={record.key!r}: {'; '.join(problems)}\n"
                                       f"  value: {record.value[:600]!r}")

    def problems(self, record: OutgoingRecord) -> list[str]:
        try:
            event = json.loads(record.value)
        except ValueError:
            return ["the value is not JSON"]
        event_type = event.get("type") if isinstance(event, dict) else None
        if event_type not in REGISTRY:
            return [f"type {event_type!r} is not in the catalog"]
        found = [f"{'/'.join(map(str, e.instance_path)) or '<root>'}: {e.message}"
                 for e in self._validators[event_type].iter_errors(event)]
        if not record.topic.endswith(topic_for(event_type)):
            found.append(f"{event_type} belongs on {topic_for(event_type)}")
        if record.key != event.get("subject"):
            found.append("the record key is not the subject")
        if ("content-type", CONTENT_TYPE.encode()) not in record.headers:
            found.append(f"no content-type: {CONTENT_TYPE} header")
        return found


class AuditedPublisher:
    """A publisher that hands what it published to the audit (after the broker took it: once per record)."""

    def __init__(self, inner: Publisher, audit: RecordAudit) -> None:
        self._inner, self._audit = inner, audit

    async def publish(self, records: Sequence[OutgoingRecord]) -> None:
        await self._inner.publish(records)
        self._audit.check(records)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


AUDIT = RecordAudit()


def _is_installed(spec: ServiceSpec) -> bool:
    try:
        return spec is installed_service(spec.name).spec
    except UnknownService:
        return False


@pytest.fixture(scope="session", autouse=True)
def _audit_every_published_record() -> Iterator[RecordAudit]:
    original = ServiceRuntime.__init__

    def audited(self: ServiceRuntime, spec: ServiceSpec, *args: Any, **kwargs: Any) -> None:
        original(self, spec, *args, **kwargs)
        if _is_installed(spec):  # only the relay: dead letters carry whatever was on the topic, by design
            self.relay._publisher = AuditedPublisher(self.relay._publisher, AUDIT)  # type: ignore[assignment]

    ServiceRuntime.__init__ = audited  # type: ignore[method-assign]
    try:
        yield AUDIT
    finally:
        ServiceRuntime.__init__ = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _published_records_match_their_schemas(_audit_every_published_record: RecordAudit) -> Iterator[None]:
    before = len(AUDIT.violations)
    yield
    found = AUDIT.violations[before:]
    if found:
        pytest.fail(f"{len(found)} published record(s) do not match their AsyncAPI payload schema:\n"
                    + "\n".join(found[:5]), pytrace=False)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if AUDIT.checked:
        terminalreporter.write_line(f"record audit: {AUDIT.checked} published records checked against their "
                                    f"AsyncAPI payload schemas, {len(AUDIT.violations)} violation(s)")
