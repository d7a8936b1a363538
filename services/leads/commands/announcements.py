"""lead.created for a whole batch of new leads, encoded in one pass straight into outbox rows.

`UnitOfWork.emit` validates each payload and envelope with pydantic and encodes it (about 18 µs an event);
an import announces thousands of leads per batch, so it writes the same bytes here with one `json.dumps` per
event (tests/leads/test_announcements.py compares them byte for byte with `emit`'s). Anything the encoder
does not know (a value of another type, a clock off UTC) answers None, and the caller emits the usual way.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from services.leads.domain.leads import Fact
from shared.events.catalog import LeadCreated
from shared.events.envelope import wire_sequence
from shared.events.registry import topic_for

CREATED = "coxswain.lead.created.v1"
_FIELDS = tuple(LeadCreated.model_fields)
_ZERO = timedelta(0)
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


class Unencodable(Exception):
    pass


def _utc_text(at: datetime) -> str:
    """A time as pydantic writes an aware UTC one: ISO 8601, microseconds only when there are some, `Z`."""
    if at.utcoffset() != _ZERO:
        raise Unencodable(at)
    return at.replace(tzinfo=None).isoformat() + "Z"


def _value(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or value is None:
        return value
    if kind is datetime:
        return _utc_text(value)
    raise Unencodable(value)


def created_rows(facts: Sequence[tuple[str, Fact]], *, service: str, at: datetime,
                 traceparent: str | None) -> list[dict[str, object]] | None:
    """The outbox rows of these lead.created facts (each the lead's first event, sequence 1), or None."""
    try:
        time = _utc_text(at)
        rows = []
        for lead_id, fact in facts:
            if fact.type != CREATED or fact.data.keys() != set(_FIELDS):
                return None
            event_id = str(uuid.uuid4())
            envelope = {
                "specversion": "1.0", "id": event_id, "source": f"/coxswain/{service}", "type": CREATED,
                "subject": lead_id, "time": time, "datacontenttype": "application/json",
                "sequence": wire_sequence(1), "data": {k: _value(fact.data[k]) for k in _FIELDS},
            }
            if traceparent:
                envelope["traceparent"] = traceparent
            rows.append({"event_id": event_id, "topic": topic_for(CREATED), "key": lead_id, "event_type": CREATED,
                         "payload": _dumps(envelope).encode(), "created_at": at, "attempts": 0,
                         "traceparent": traceparent})
    except (Unencodable, UnicodeEncodeError):
        return None
    return rows
