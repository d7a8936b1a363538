"""Free-form JSON in request bodies (plan components, rule values) checked like typed fields.

pydantic's `Any` and `JsonValue` take a JSON string holding a lone surrogate (`"\\ud800"`, valid JSON escape,
invalid Unicode) as it is; no database, log line or answer can then encode it, and the request fails late with
a 500. `Json` refuses it at validation, a 422 naming the field.
"""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, JsonValue
from pydantic_core import PydanticSerializationError, to_json


def _encodable(value: JsonValue) -> JsonValue:
    try:
        to_json(value)
    except PydanticSerializationError:
        raise ValueError("text must be valid Unicode (a lone surrogate such as \\ud800 is not)") from None
    return value


Json = Annotated[JsonValue, AfterValidator(_encodable)]
