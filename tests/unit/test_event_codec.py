"""Decoding rejects everything a handler could never accept, with a reason naming what is wrong."""
from __future__ import annotations

import json

import pytest

from shared.events import PoisonEvent, decode_event

VALID = {
    "specversion": "1.0", "id": "6f1c7d84-7d51-4a3b-9d1e-0c7f2f0b9e11", "source": "/coxswain/pipeline",
    "type": "coxswain.deal.reopened.v1", "subject": "deal-1", "time": "2026-11-02T09:30:00Z",
    "datacontenttype": "application/json", "sequence": 4,
    "data": {"deal_id": "deal-1", "stage_id": "negotiation", "reopened_at": "2026-11-02T09:30:00Z"},
}


def _with(**changes: object) -> bytes:
    return json.dumps({**VALID, **changes}).encode()


def test_a_valid_event_decodes_to_its_typed_payload() -> None:
    event = decode_event(json.dumps(VALID).encode())
    assert event.data.stage_id == "negotiation" and event.sequence == 4
    assert event.time.utcoffset() is not None


@pytest.mark.parametrize(("raw", "reason"), [
    (b"\x00not json", "not JSON"),
    (b"[1, 2]", "not a JSON object"),
    (_with(sequence=0), "sequence"),
    (_with(time="2026-11-02T09:30:00"), "time"),
    (_with(source="pipeline"), "source"),
    (_with(type="coxswain.deal.teleported.v1"), "unknown type 'coxswain.deal.teleported.v1'"),
    (_with(data={"deal_id": "deal-1"}), "invalid data for coxswain.deal.reopened.v1: stage_id"),
    (None, "not JSON"),
])
def test_poison_records_are_rejected_with_a_reason(raw: bytes | None, reason: str) -> None:
    with pytest.raises(PoisonEvent) as caught:
        decode_event(raw)
    assert reason in caught.value.reason
