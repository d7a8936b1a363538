"""POST /v1/leads/import: a CSV body read as it streams in, captured in batches; bad rows reported, not fatal."""
from __future__ import annotations

import codecs
import csv
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from services.leads import commands
from services.leads.api.deps import Capturer
from services.leads.domain.capture import Outcome
from services.leads.domain.spreadsheet import column_map, parse_overrides, row_fields
from shared.errors import InvalidInput

router = APIRouter(prefix="/leads", tags=["import"])


class RowError(BaseModel):
    row: int
    field: str | None
    reason: str | None


class ImportOut(BaseModel):
    rows: int
    created: int
    merged: int
    rejected: int
    errors: list[RowError]
    errors_not_listed: int


async def csv_records(stream: AsyncIterator[bytes]) -> AsyncIterator[list[str]]:
    """CSV records as the body arrives; a quoted field may span lines. Only a few lines are held at a time."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    pending, record = "", ""
    async for chunk in stream:
        pending += decoder.decode(chunk)
        *lines, pending = pending.split("\n")
        complete = []
        for line in lines:
            record += line + "\n"
            if record.count('"') % 2 == 0:
                complete.append(record)
                record = ""
        for row in csv.reader(complete):
            yield row
    tail = record + pending + decoder.decode(b"", final=True)
    if tail.strip():
        for row in csv.reader([tail]):
            yield row


class _Tally:
    def __init__(self, keep: int) -> None:
        self.counts = {"created": 0, "merged": 0, "rejected": 0}
        self.errors: list[RowError] = []
        self.keep, self.unlisted, self.rows = keep, 0, 0

    def add(self, outcomes: list[Outcome]) -> None:
        for o in outcomes:
            self.rows += 1
            self.counts[o.outcome] += 1
            if o.outcome == "rejected":
                if len(self.errors) < self.keep:
                    self.errors.append(RowError(row=o.row, field=o.field, reason=o.reason))
                else:
                    self.unlisted += 1


@router.post("/import", response_model=ImportOut)
async def import_leads(request: Request, who: Capturer,
                       map: Annotated[list[str], Query(description="field:column, e.g. email:E-mail")] = [],  # noqa: B006
                       source: Annotated[str, Query(max_length=100)] = "import") -> ImportOut:
    """Rows are numbered as in a spreadsheet (the header is row 1)."""
    runtime, settings = request.app.state.runtime, request.app.state.runtime.settings
    overrides, tally = parse_overrides(map), _Tally(settings.import_reported_errors)
    records = csv_records(request.stream())
    header = await anext(records, None)
    if header is None:
        raise InvalidInput("body", "the CSV is empty; the first row names the columns")
    columns, batch = column_map(header, overrides), []
    async for number, row in _numbered(records):
        batch.append((number, row))
        if len(batch) >= settings.import_batch_rows:
            tally.add(await _capture(batch, columns, len(header), source, who.sub, runtime))
            batch = []
    tally.add(await _capture(batch, columns, len(header), source, who.sub, runtime))
    return ImportOut(rows=tally.rows, **tally.counts, errors=tally.errors, errors_not_listed=tally.unlisted)


async def _numbered(records: AsyncIterator[list[str]]) -> AsyncIterator[tuple[int, list[str]]]:
    number = 1
    async for row in records:
        number += 1
        if any(cell.strip() for cell in row):
            yield number, row


async def _capture(batch: list[tuple[int, list[str]]], columns: dict[int, str], width: int, source: str,
                   by: str, runtime: Any) -> list[Outcome]:
    if not batch:
        return []
    raws, shape_errors = [], []
    for number, row in batch:
        try:
            raws.append((number, {"source": source, **row_fields(row, columns, width)}))
        except InvalidInput as exc:
            shape_errors.append(Outcome(number, "rejected", field=exc.errors[0].field, reason=exc.errors[0].message))
    async with runtime.uow() as uow:
        outcomes = await commands.capture(raws, f"import:{by}", uow)
        await uow.commit()
    return sorted(outcomes + shape_errors, key=lambda o: o.row)
