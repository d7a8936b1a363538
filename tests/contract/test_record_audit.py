"""The record audit (tests/contract/record_audit.py) passes the records services publish and catches what
travels outside the contract."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from shared.events import encode_event, new_event
from shared.events.examples import EXAMPLES
from shared.events.registry import REGISTRY
from shared.messaging.records import OutgoingRecord
from shared.testing import auth_headers, eventually
from shared.testing.backends import EmbeddedBackend
from shared.testing.harness import running_service
from tests.contract.record_audit import AUDIT, AuditedPublisher, RecordAudit


def _record(**changes: object) -> OutgoingRecord:
    spec = REGISTRY["coxswain.commission.calculated.v1"]
    event = new_event(type=spec.type, source_service="compensation", subject="rep-1:deal-1", sequence=2,
                      data=spec.model.model_validate(EXAMPLES[spec.type]), time=datetime(2026, 12, 10, tzinfo=UTC))
    document = json.loads(encode_event(event))
    for key, value in changes.items():
        if key.startswith("data."):
            document["data"][key.removeprefix("data.")] = value
        else:
            document[key] = value
    return OutgoingRecord("coxswain.compensation", "rep-1:deal-1", json.dumps(document).encode())


def test_a_record_as_the_services_write_it_passes() -> None:
    audit = RecordAudit()
    audit.check([_record()])
    assert (audit.checked, audit.violations) == (1, [])


@pytest.mark.parametrize(("change", "rule"), [
    ({"data.bonus_pool": "x"}, "Additional properties are not allowed ('bonus_pool' was unexpected)"),
    ({"sequence": 2}, "sequence: 2 is not of type \"string\""),
    ({"data.amount": 5200.0}, "data/amount: 5200.0 is not of type \"string\""),
    ({"subject": "rep-2:deal-1"}, "the record key is not the subject"),
    ({"type": "coxswain.commission.paid.v1"}, "is not in the catalog"),
    ({"source": "/coxswain/pipeline"}, "source: \"/coxswain/compensation\" was expected"),
])
def test_a_record_outside_the_contract_is_caught(change: dict[str, object], rule: str) -> None:
    audit = RecordAudit()
    audit.check([_record(**change)])
    assert len(audit.violations) == 1 and rule in audit.violations[0], audit.violations


def test_a_record_without_the_content_type_header_is_caught() -> None:
    audit = RecordAudit()
    plain = _record()
    audit.check([OutgoingRecord(plain.topic, plain.key, plain.value, headers=[])])
    assert "no content-type: application/cloudevents+json header" in audit.violations[0]


async def test_the_audit_sees_what_a_running_service_publishes(embedded_backend: EmbeddedBackend) -> None:
    before = AUDIT.checked
    async with running_service("territory", database_url=await embedded_backend.database_url("territory"),
                               platform=embedded_backend.platform,
                               embedded_bus=embedded_backend.embedded_bus) as territory:
        assert isinstance(territory.runtime.relay._publisher, AuditedPublisher)
        made = await territory.client.post("/v1/teams", headers=auth_headers("admin"),
                                           json={"id": "emea", "name": "EMEA"})
        assert made.status_code in (200, 201), made.text
        await eventually(territory.runtime.relay.pending, until=lambda n: n == 0)
    assert AUDIT.checked >= before + 1  # team.upserted went through the audit
