"""Value types that travel in event payloads: money as decimal strings, currencies, periods."""
from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema


def _no_float(value: Any) -> Any:
    # Floats cannot carry cents exactly; the contract says money travels as decimal strings.
    if isinstance(value, float):
        raise ValueError("money must be a decimal string such as \"1250.00\", not a float")
    return value


Money = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    Field(max_digits=20, decimal_places=6),
    PlainSerializer(lambda d: format(d, "f"), return_type=str, when_used="json"),
    # What travels (a plain JSON Schema, no pydantic-only keywords such as decimal_places).
    WithJsonSchema({"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$",
                    "description": "a decimal string, e.g. \"1250.00\" (never a float)"}, mode="serialization"),
]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]
Period = Annotated[
    str,
    Field(pattern=r"^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$", description="2026, 2026-Q4 or 2026-11"),
]
Probability = Annotated[int, Field(ge=0, le=100, description="percent, 0 to 100")]
