"""POST /v1/leads/import: a CSV body parsed off the event loop as it streams in, captured in batches; every bad
row reported by number, never fatal."""
from __future__ import annotations

from email.message import Message
from typing import Annotated, cast

from anyio import from_thread, to_thread
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from services.leads import commands
from services.leads.domain.capture import Outcome
from services.leads.domain.sheet_reader import BodyStream, UnknownEncoding, records, text_encoding
from services.leads.domain.spreadsheet import column_map, parse_overrides, raw_rows
from services.leads.settings import LeadsSettings
from shared.db.uow import UnitOfWorkFactory
from shared.errors import InvalidInput
from shared.http.deps import Feeder

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


def _stated_encoding(query: str | None, content_type: str | None) -> str | None:
    header = Message()
    header["content-type"] = content_type or "text/csv"
    stated = query or header.get_content_charset()
    try:
        return text_encoding(stated) if stated else None
    except UnknownEncoding as exc:
        raise InvalidInput("encoding", str(exc)) from None


@router.post("/import", response_model=ImportOut)
async def import_leads(request: Request, who: Feeder,
                       map: Annotated[list[str], Query(description="field:column, e.g. email:E-mail")] = [],  # noqa: B006
                       source: Annotated[str, Query(max_length=100)] = "import",
                       encoding: Annotated[str | None, Query(max_length=40, description=(
                           "the file's encoding, e.g. cp1252; default: the Content-Type charset, else detected "
                           "(UTF-8, or cp1252/Latin-1)"))] = None) -> ImportOut:
    """Rows are numbered as in a spreadsheet (the header is row 1); every bad row is listed, the good ones go in.

    The sheet is parsed in a worker thread as it streams in (see services/leads/domain/sheet_reader.py)."""
    units = cast(UnitOfWorkFactory, request.app.state.runtime.uow)
    settings = cast(LeadsSettings, request.app.state.runtime.settings)
    overrides, stated = parse_overrides(map), _stated_encoding(encoding, request.headers.get("content-type"))
    chunks = request.stream()

    async def next_chunk() -> bytes | None:
        async for chunk in chunks:
            if chunk:
                return chunk
        return None

    async def capture(batch: list[tuple[int, list[str], str | None]], columns: dict[int, str],
                      width: int) -> list[Outcome]:
        raws, rejected = raw_rows(batch, columns, width, source)
        outcomes = await commands.import_rows(units(), raws, f"import:{who.sub}") if batch else []
        return sorted(outcomes + rejected, key=lambda o: o.row)

    def read_sheet() -> ImportOut:
        body = BodyStream(lambda: from_thread.run(next_chunk))
        tally, rows = _Tally(settings.import_reported_errors), records(body, stated)
        header = next(rows, None)
        if header is None:
            raise InvalidInput("body", "the CSV is empty; the first row names the columns")
        if header.error:
            raise InvalidInput("header", header.error)
        columns, batch = column_map(header.cells, overrides), []
        for record in rows:
            if record.error or any(cell.strip() for cell in record.cells):
                batch.append((record.row, record.cells, record.error))
            if len(batch) >= settings.import_batch_rows:
                tally.add(from_thread.run(capture, batch, columns, len(header.cells)))
                batch = []
        tally.add(from_thread.run(capture, batch, columns, len(header.cells)))
        return ImportOut(rows=tally.rows, **tally.counts, errors=tally.errors, errors_not_listed=tally.unlisted)

    return await to_thread.run_sync(read_sheet)
