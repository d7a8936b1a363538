"""Every event model round-trips through the wire format and matches its saved JSON schema."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.events import PoisonEvent, decode_event, encode_event, new_event
from shared.events.examples import EXAMPLES
from shared.events.registry import REGISTRY, topic_for
from shared.events.schemas import schema_of

pytestmark = pytest.mark.contract
SCHEMAS = Path(__file__).parent / "schemas"


def test_every_catalog_type_has_an_example_and_a_saved_schema() -> None:
    assert set(EXAMPLES) == set(REGISTRY)
    assert {p.stem for p in SCHEMAS.glob("*.json")} == set(REGISTRY)


@pytest.mark.parametrize("event_type", sorted(REGISTRY))
def test_model_matches_saved_schema(event_type: str) -> None:
    saved = json.loads((SCHEMAS / f"{event_type}.json").read_text())
    assert schema_of(event_type) == saved, "refresh with `make schemas` only for a deliberate, additive change"


@pytest.mark.parametrize("event_type", sorted(REGISTRY))
def test_example_round_trips_through_the_wire(event_type: str) -> None:
    spec = REGISTRY[event_type]
    data = spec.model.model_validate(EXAMPLES[event_type])
    event = new_event(type=event_type, source_service=spec.producer, subject="agg-1", data=data,
                      time=datetime(2026, 11, 2, 9, 30, tzinfo=UTC), sequence=3)
    wire = encode_event(event)
    again = decode_event(wire)
    assert again == event
    assert encode_event(again) == wire
    document = json.loads(wire)
    assert document["specversion"] == "1.0" and document["source"] == f"/coxswain/{spec.producer}"
    assert topic_for(event_type) == f"coxswain.{spec.producer}"


def test_money_travels_as_decimal_strings_and_floats_are_refused() -> None:
    spec = REGISTRY["coxswain.quota.set.v1"]
    event = new_event(type=spec.type, source_service="compensation", subject="rep-1",
                      data=spec.model.model_validate(EXAMPLES[spec.type]), time=datetime.now(UTC))
    document = json.loads(encode_event(event))
    assert document["data"]["amount"] == "100000.00"
    document["data"]["amount"] = 100000.1
    with pytest.raises(PoisonEvent, match="data.amount|amount"):
        decode_event(json.dumps(document).encode())
