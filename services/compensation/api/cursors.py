"""Keyset positions of the lists whose key is more than one column (the rest use shared.http.pagination's)."""
from __future__ import annotations

from datetime import date

from pydantic import Field, field_validator

from shared.http.pagination import MAX_ID_CHARS, Position


class AfterCredit(Position):
    """Keyset position in the commission that waits: the deal and rep of the previous page's last credit."""

    deal_id: str = Field(min_length=1, max_length=MAX_ID_CHARS)
    rep_id: str = Field(min_length=1, max_length=MAX_ID_CHARS)


class AfterRate(Position):
    """Keyset position in the exchange rates: base, quote and effective date of the previous page's last rate."""

    base: str = Field(min_length=1, max_length=3)
    quote: str = Field(min_length=1, max_length=3)
    effective_on: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

    @field_validator("effective_on")
    @classmethod
    def _a_day(cls, value: str) -> str:
        date.fromisoformat(value)  # a ValueError: not a cursor this API wrote (a 400)
        return value

    def key(self) -> tuple[str, str, date]:
        return self.base, self.quote, date.fromisoformat(self.effective_on)
