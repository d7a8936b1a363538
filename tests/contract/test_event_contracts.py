"""Every event model round-trips through the wire format and matches its saved JSON schema."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.events import CloudEvent, PoisonEvent, decode_event, encode_event, new_event
from shared.events.envelope import wire_sequence
from shared.events.examples import EXAMPLES
from shared.events.registry import REGISTRY, topic_for
from shared.events.schemas import schema_of

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


def _deal_closed(**extra: object) -> CloudEvent:
    spec = REGISTRY["coxswain.deal.closed.v1"]
    return new_event(type=spec.type, source_service="pipeline", subject="deal-1", sequence=9,
                     data=spec.model.model_validate({**EXAMPLES[spec.type], **extra}), time=datetime.now(UTC))


def test_sequence_travels_as_a_zero_padded_string_that_sorts_like_the_number() -> None:
    document = json.loads(encode_event(_deal_closed()))
    assert document["sequence"] == "00000000000000000009"
    assert wire_sequence(9) < wire_sequence(10) < wire_sequence(2**64 - 1)  # as strings: 9 < 10 only when padded
    assert decode_event(encode_event(_deal_closed())).sequence == 9  # an int again inside the process


@pytest.mark.parametrize("sequence", [9, "00000000000000000009", "9"])
def test_records_written_before_keep_decoding_with_an_integer_sequence(sequence: object) -> None:
    document = json.loads(encode_event(_deal_closed()))
    assert decode_event(json.dumps({**document, "sequence": sequence}).encode()).sequence == 9


@pytest.mark.parametrize("sequence", ["", "-9", "9.0", "٩", "0x9", 9.0, True, "00000000000000000000"])
def test_a_sequence_that_is_not_a_positive_decimal_is_poison(sequence: object) -> None:
    document = json.loads(encode_event(_deal_closed()))
    with pytest.raises(PoisonEvent, match="sequence"):
        decode_event(json.dumps({**document, "sequence": sequence}).encode())


def test_a_producer_cannot_send_a_field_the_catalog_does_not_declare() -> None:
    with pytest.raises(ValueError, match="undeclared|does not declare: discount"):
        _deal_closed(discount="10%")
    spec = REGISTRY["coxswain.commission.calculated.v1"]
    data = spec.model.model_validate({**EXAMPLES[spec.type], "lines": [
        {"component": "base", "base": "1.00", "rate": "0.10", "amount": "0.10", "bonus_pool": "x"}]})
    with pytest.raises(ValueError, match=r"lines\[0\]\.bonus_pool"):
        new_event(type=spec.type, source_service="compensation", subject="rep-1:deal-1", data=data,
                  time=datetime.now(UTC))


def test_a_consumer_still_reads_a_record_with_a_field_added_later() -> None:
    document = json.loads(encode_event(_deal_closed(products=["widget"], new_logo=True)))
    document["data"]["discount"] = "10%"  # a newer producer's field: kept aside, never read
    event = decode_event(json.dumps(document).encode())
    assert (event.data.products, event.data.new_logo) == (["widget"], True)
