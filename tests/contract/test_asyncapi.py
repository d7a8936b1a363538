"""docs/asyncapi.json: generated from the event models, valid for the official AsyncAPI parser
(@asyncapi/parser, pinned in tests/contract/asyncapi/package-lock.json), served by every service, and saying
what the services really send and receive."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from httpx import ASGITransport, AsyncClient

from shared.events import decode_event
from shared.events.asyncapi import asyncapi_document, installed_consumers, message_id
from shared.events.registry import REGISTRY
from shared.operations.installed import installed_service
from shared.settings import PlatformSettings
from shared.testing.harness import settings_for
from tests.contract.asyncapi_parser import parse_with_official_parser

DOCUMENT = Path(__file__).parents[2] / "docs" / "asyncapi.json"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return asyncapi_document(installed_consumers())


def test_the_saved_document_is_the_generated_one(document: dict[str, Any]) -> None:
    assert json.loads(DOCUMENT.read_text()) == document, "regenerate with `make asyncapi`"


def test_the_official_parser_finds_no_error(document: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "asyncapi.json"
    path.write_text(json.dumps(document))
    passed, output = parse_with_official_parser(path)
    assert passed, output
    # 5 topics + 11 dead-letter topics (one per consumer group and topic it reads); 21 messages = 20 types + the
    # dead letter; 5 publishing + 11 receiving + 11 dead-lettering operations.
    assert "16 channels, 27 operations, 21 messages" in output


def test_the_parser_check_fails_on_the_refs_the_old_document_had(document: dict[str, Any], tmp_path: Path) -> None:
    broken = json.loads(json.dumps(document))
    broken["components"]["schemas"]["DealClosed"]["properties"]["splits"]["items"] = {"$ref": "#/$defs/Split"}
    path = tmp_path / "asyncapi.json"
    path.write_text(json.dumps(broken))
    passed, output = parse_with_official_parser(path)
    assert not passed
    assert "invalid-ref" in output and "#/$defs/Split" in output


@pytest.mark.parametrize("event_type", sorted(REGISTRY))
def test_each_message_is_the_whole_cloud_event_and_its_example_validates(document: dict[str, Any],
                                                                         event_type: str) -> None:
    message = document["components"]["messages"][message_id(event_type)]
    assert (message["name"], message["contentType"]) == (event_type, "application/cloudevents+json")
    assert message["bindings"]["kafka"]["key"]["type"] == "string"
    payload = _resolve(document, message["payload"])
    assert payload["properties"]["type"] == {"type": "string", "const": event_type}
    assert payload["properties"]["data"] == {"$ref": f"#/components/schemas/{REGISTRY[event_type].model.__name__}"}
    example = message["examples"][0]
    assert example["headers"] == {"content-type": "application/cloudevents+json"}
    validator = jsonschema_rs.Draft7Validator({**document, "$ref": message["payload"]["$ref"]})
    assert [e.message for e in validator.iter_errors(example["payload"])] == []
    assert decode_event(json.dumps(example["payload"]).encode()).type == event_type


def test_an_integer_sequence_or_a_float_amount_fails_the_payload_schema(document: dict[str, Any]) -> None:
    message = document["components"]["messages"]["deal_closed_v1"]
    event = json.loads(json.dumps(message["examples"][0]["payload"]))
    validator = jsonschema_rs.Draft7Validator({**document, "$ref": message["payload"]["$ref"]})
    assert validator.is_valid(event)
    assert not validator.is_valid({**event, "sequence": 4})
    assert not validator.is_valid({**event, "data": {**event["data"], "amount": 52000.5}})


def test_operations_say_who_sends_and_who_receives(document: dict[str, Any]) -> None:
    operations = document["operations"]

    def types_of(operation: str) -> list[str]:
        return sorted(ref["$ref"].rsplit("/", 1)[-1] for ref in operations[operation]["messages"])

    assert types_of("pipeline_publishes") == ["deal_closed_v1", "deal_closed_v2", "deal_created_v1",
                                              "deal_reopened_v1", "deal_stage_changed_v1", "deal_updated_v1"]
    # compensation's handler table takes three of pipeline's types, and only version 1 of deal.closed
    assert types_of("compensation_receives_pipeline") == ["deal_closed_v1", "deal_reopened_v1", "deal_updated_v1"]
    assert operations["compensation_receives_pipeline"]["action"] == "receive"
    assert operations["compensation_receives_pipeline"]["bindings"]["kafka"]["groupId"]["enum"] == ["compensation"]
    assert types_of("leads_receives_territory") == ["lead_routed_v1", "rep_upserted_v1", "team_upserted_v1"]
    for consumer in installed_consumers():  # every handled type is received, from its topic, on a DLQ-backed channel
        received = {ref["$ref"].rsplit("/", 1)[-1] for name, op in operations.items()
                    if name.startswith(f"{consumer.group}_receives_") for ref in op["messages"]}
        assert received == {message_id(t) for t in consumer.types}


def test_dead_letter_channels_carry_the_reason_headers(document: dict[str, Any]) -> None:
    channel = document["channels"]["pipeline_dlq_forecast"]
    assert channel["address"] == "coxswain.pipeline.dlq.forecast"
    headers = document["components"]["schemas"]["DeadLetterHeaders"]
    assert set(headers["required"]) == {"coxswain-dlq-reason", "coxswain-dlq-original-topic",
                                        "coxswain-dlq-original-partition", "coxswain-dlq-original-offset",
                                        "coxswain-dlq-group"}
    from shared.messaging.records import IncomingRecord, dead_letter_record

    written = dead_letter_record(IncomingRecord("coxswain.pipeline", 0, 7, "deal-1", b"{}", []), group="forecast",
                                 reason="invalid data")
    assert written.topic == channel["address"]
    assert {k for k, _ in written.headers} == set(headers["required"])


async def test_every_service_serves_the_document_and_declares_it(document: dict[str, Any], tmp_path: Path) -> None:
    for name in installed_consumers():
        service = installed_service(name.group)
        settings = settings_for(name.group, database_url=f"sqlite+aiosqlite:///{tmp_path / name.group}.db",
                                platform=PlatformSettings(data_dir=tmp_path))
        app = service.create_app(settings, start_runtime=False)
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
            served = await client.get("/asyncapi.json")
            openapi = (await client.get("/openapi.json")).json()
        assert (served.status_code, served.json()) == (200, document)
        assert "get" in openapi["paths"]["/asyncapi.json"]


def _resolve(document: dict[str, Any], ref: dict[str, str]) -> dict[str, Any]:
    node: Any = document
    for part in ref["$ref"].removeprefix("#/").split("/"):
        node = node[part]
    return node  # type: ignore[no-any-return]
