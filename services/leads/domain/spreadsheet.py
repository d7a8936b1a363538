"""CSV import: which column feeds which lead field (sensible defaults, overridable), and a row as raw fields."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from services.leads.domain.capture import Outcome
from shared.errors import InvalidInput

# Header spellings a CRM export or a hand-made sheet uses, after lower-casing and squeezing to underscores.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "email": ("email", "e_mail", "email_address", "work_email", "business_email", "mail"),
    "name": ("name", "full_name", "contact_name", "lead_name", "contact"),
    "first_name": ("first_name", "firstname", "given_name", "first"),
    "last_name": ("last_name", "lastname", "surname", "family_name", "last"),
    "company": ("company", "company_name", "account", "account_name", "organisation", "organization"),
    "website": ("website", "company_website", "domain", "url", "web"),
    "title": ("title", "job_title", "position", "role"),
    "phone": ("phone", "phone_number", "telephone", "mobile"),
    "country": ("country", "country_code", "nation"),
    "region": ("region", "state", "province", "county"),
    "postal_code": ("postal_code", "zip", "zip_code", "postcode"),
    "industry": ("industry", "sector", "vertical"),
    "employee_count": ("employee_count", "employees", "company_size", "headcount", "number_of_employees"),
    "source": ("source", "lead_source", "channel"),
    "activity_count": ("activity_count", "activities", "touches", "engagements"),
}
FIELDS = tuple(HEADER_ALIASES)


def header_key(text: str) -> str:
    """`E-mail Address`, `email_address` and `EmailAddress` are one column name."""
    return re.sub(r"[^a-z0-9]+", "", text.strip().lower())


def column_map(header: Sequence[str], overrides: Mapping[str, str]) -> dict[int, str]:
    """Column index → lead field: the overrides (field → header text) first, then the known spellings."""
    keys = [header_key(h) for h in header]
    chosen: dict[int, str] = {}
    for field, column in overrides.items():
        if field not in HEADER_ALIASES:
            raise InvalidInput("map", f"'{field}' is not a lead field ({', '.join(FIELDS)})")
        if header_key(column) not in keys:
            raise InvalidInput("map", f"the file has no column '{column}' (for {field})")
        chosen[keys.index(header_key(column))] = field
    for field, aliases in HEADER_ALIASES.items():
        if field in chosen.values():
            continue
        known = {header_key(a) for a in aliases}
        index = next((i for i, k in enumerate(keys) if k in known and i not in chosen), None)
        if index is not None:
            chosen[index] = field
    if not {"email", "name", "first_name", "last_name"} & set(chosen.values()):
        raise InvalidInput("header", "no column holds an email or a name; name them or pass map=email:<column>")
    return chosen


def parse_overrides(pairs: Sequence[str]) -> dict[str, str]:
    """`map=email:E-mail address` pairs from the query string."""
    out = {}
    for pair in pairs:
        field, sep, column = pair.partition(":")
        if not sep or not field.strip() or not column.strip():
            raise InvalidInput("map", f"'{pair}' is not field:column")
        out[field.strip()] = column.strip()
    return out


def row_fields(row: Sequence[str], columns: Mapping[int, str], width: int) -> dict[str, Any]:
    if len(row) != width:
        raise InvalidInput("row", f"expected {width} columns as in the header, found {len(row)}")
    return {field: row[i] for i, field in columns.items() if row[i].strip()}


def raw_rows(batch: Sequence[tuple[int, list[str], str | None]], columns: Mapping[int, str], width: int,
             source: str) -> tuple[list[tuple[int, dict[str, Any]]], list[Outcome]]:
    """A batch of numbered sheet rows as raw lead fields; a row the sheet itself got wrong is rejected here."""
    raws, rejected = [], []
    for number, row, error in batch:
        if error:
            rejected.append(Outcome(number, "rejected", field="row", reason=error))
            continue
        try:
            raws.append((number, {"source": source, **row_fields(row, columns, width)}))
        except InvalidInput as exc:
            rejected.append(Outcome(number, "rejected", field=exc.errors[0].field, reason=exc.errors[0].message))
    return raws, rejected
