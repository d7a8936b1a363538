"""Value types for request input that pydantic's defaults take too loosely.

`Json`: free-form JSON in request bodies (plan components, rule values), checked like typed fields. pydantic's
`Any` and `JsonValue` take a JSON string holding a lone surrogate (`"\\ud800"`: a valid JSON escape, invalid
Unicode) as it is; no database, log line or answer can then encode it, and the request fails late with a 500.
`Json` refuses it at validation, a 422 naming the field.

`IsoTime` and `IsoDate`: query parameters that are times or dates. pydantic reads `0.5` or `1700000000` as
seconds since 1970 and `0` as 1970-01-01; a client sending a number there has a bug to be told about (a 422).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, JsonValue
from pydantic_core import PydanticSerializationError, to_json


def _encodable(value: JsonValue) -> JsonValue:
    try:
        to_json(value)
    except PydanticSerializationError:
        raise ValueError("text must be valid Unicode (a lone surrogate such as \\ud800 is not)") from None
    return value


Json = Annotated[JsonValue, AfterValidator(_encodable)]


def _iso(kind: type[date]) -> Any:
    example = "2026-11-02T09:00:00Z" if kind is datetime else "2026-11-02"

    def parse(value: Any) -> Any:
        if isinstance(value, kind):
            return value
        if isinstance(value, str):
            try:
                return kind.fromisoformat(value)
            except ValueError:
                pass
        raise ValueError(f"an ISO 8601 {'time' if kind is datetime else 'date'}, e.g. {example}")

    return BeforeValidator(parse)


IsoTime = Annotated[datetime, _iso(datetime)]
IsoDate = Annotated[date, _iso(date)]
