"""POST /v1/leads/import with hostile sheets: parsed off the event loop, every bad row reported by number while
the good ones go in, the same answer for a short file and a long one, the file's encoding honoured."""
from __future__ import annotations

import asyncio
import csv
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from shared.testing.harness import RunningService
from tests.leads.conftest import OPS, clock, leads  # noqa: F401  (fixtures)

pytestmark = pytest.mark.embedded
HEADER = "Email,First Name,Last Name,Company,Employees\r\n"
CSV = {**OPS, "content-type": "text/csv"}


def good_rows(first: int, count: int, ending: str = "\r\n") -> str:
    return "".join(f"lead{i}@co{i}.example,First{i},Last{i},Co {i},{i % 90 + 1}{ending}"
                   for i in range(first, first + count))


async def upload(client: Any, body: bytes | str, **params: str) -> dict:
    content = body.encode() if isinstance(body, str) else body
    response = await client.post("/v1/leads/import", headers=CSV, params=params, content=content)
    assert response.status_code == 200, response.text
    return response.json()


def tally(answer: dict) -> tuple[int, int, int, list[tuple[int, str]]]:
    return (answer["rows"], answer["created"], answer["rejected"],
            [(e["row"], e["field"]) for e in answer["errors"]])


@pytest.mark.parametrize("after", [8, 6000])  # 6000 rows after it are ~300 KiB: past csv's 128 KiB cell limit
async def test_an_unbalanced_quote_is_one_bad_row_whatever_follows(leads: RunningService, after: int) -> None:  # noqa: F811
    # row 2 good, row 3 opens a quote it never closes, rows 4.. good: the quote swallows the lines after it
    # until csv's cell limit (long file) or the end (short file); they are read again as rows of their own
    sheet = HEADER + good_rows(0, 1) + 'stray@quote.example,"Stray,Q,Co,5\r\n' + good_rows(1, after)
    answer = await upload(leads.client, sheet)
    assert tally(answer) == (after + 2, after + 1, 1, [(3, "row")])
    assert "not well-formed CSV" in answer["errors"][0]["reason"]


async def test_the_parse_runs_off_the_event_loop(leads: RunningService, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """While the parser is held mid-file, another request on the same event loop is answered."""
    entered, release = threading.Event(), threading.Event()
    released: list[bool] = []  # whether each hold ended because the test released it (not by timing out)
    real_reader = csv.reader

    def held_reader(*args: Any, **kwargs: Any) -> Iterator[list[str]]:
        entered.set()
        # on the event loop (the defect) nothing can release it: every request waits out the 10 s with it
        released.append(release.wait(timeout=10))
        return real_reader(*args, **kwargs)

    monkeypatch.setattr(csv, "reader", held_reader)
    sheet = HEADER + 'a@b.example,"never closed,X,Y,1\r\n' + good_rows(0, 50)
    importing = asyncio.create_task(leads.client.post("/v1/leads/import", headers=CSV, content=sheet.encode()))
    while not entered.is_set() and not importing.done():
        await asyncio.sleep(0.01)
    health = await leads.client.get("/healthz")
    answered_while_held = not released
    release.set()
    result = await importing
    assert health.status_code == 200 and answered_while_held and released == [True]
    assert tally(result.json())[:3] == (51, 50, 1)


async def test_overlong_cells_and_rows_are_bad_rows(leads: RunningService) -> None:  # noqa: F811
    sheet = (HEADER + good_rows(0, 1)
             + f"big@cell.example,{'x' * 70_000},L,Co,1\r\n"  # row 3: over 64 KiB
             + f"huge@cell.example,\"{'y' * 140_000}\",L,Co,1\r\n"  # row 4: over csv's own 128 KiB limit
             + "," * 1_100_000 + "\r\n"  # row 5: a line over 1 MiB
             + good_rows(1, 2))
    assert tally(await upload(leads.client, sheet)) == (6, 3, 3, [(3, "row"), (4, "row"), (5, "row")])


@pytest.mark.parametrize("ending", ["\r", "\n", "\r\n"])
async def test_every_line_ending_reads_the_same(leads: RunningService, ending: str) -> None:  # noqa: F811
    sheet = HEADER.replace("\r\n", ending) + good_rows(0, 3, ending)
    assert tally(await upload(leads.client, sheet)) == (3, 3, 0, [])


async def test_a_bare_cr_inside_a_line_ends_the_row(leads: RunningService) -> None:  # noqa: F811
    # row 2 is cut by the CR: "a@x.example,Ana" (too few columns) and "Diaz,Acme,5" (too few, no email)
    sheet = HEADER + "a@x.example,Ana\rDiaz,Acme,5\r\n" + good_rows(0, 1)
    assert tally(await upload(leads.client, sheet)) == (3, 1, 2, [(2, "row"), (3, "row")])


async def test_a_bad_value_late_in_the_file_is_reported_and_the_rest_go_in(leads: RunningService) -> None:  # noqa: F811
    # 600 rows; row 550 (the 549th lead, in the second batch of 500) has an employee count beyond 64 bits
    rows = good_rows(0, 548) + "late@bad.example,Late,Bad,Co," + "9" * 30 + "\r\n" + good_rows(548, 51)
    answer = await upload(leads.client, HEADER + rows)
    assert tally(answer) == (600, 599, 1, [(550, "employee_count")])


async def test_field_limits_apply_to_imported_rows(leads: RunningService) -> None:  # noqa: F811
    sheet = (HEADER + f"long@co.example,A,B,{'C' * 301},1\r\n"  # company: the API's limit of 300
             + "nul@co.example,A\x00,B,Co,1\r\n" + good_rows(0, 1))
    assert tally(await upload(leads.client, sheet)) == (3, 1, 2, [(2, "company"), (3, "row")])


async def test_latin1_and_cp1252_sheets_keep_their_accents(leads: RunningService) -> None:  # noqa: F811
    latin = (HEADER + "jose@acme.example,José,Müller,Acme Straße,5\r\n").encode("latin-1")
    await upload(leads.client, latin)  # detected: not UTF-8
    stated = (HEADER + "zoe@acme.example,Zoë,“Quoted”,Acme,5\r\n").encode("cp1252")
    await upload(leads.client, stated, encoding="cp1252")
    charset = (HEADER + "eve@acme.example,Ève,Ñúñez,Acme,5\r\n").encode("latin-1")
    response = await leads.client.post("/v1/leads/import", content=charset,
                                       headers={**OPS, "content-type": "text/csv; charset=ISO-8859-1"})
    assert response.json()["created"] == 1
    names = {x["email"]: x["name"] for x in (await leads.client.get("/v1/leads", headers=OPS)).json()["items"]}
    assert names == {"jose@acme.example": "José Müller", "zoe@acme.example": "Zoë “Quoted”",
                     "eve@acme.example": "Ève Ñúñez"}
    wrong = await leads.client.post("/v1/leads/import", headers=CSV, params={"encoding": "rot13"}, content=latin)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "encoding"


async def test_bytes_invalid_in_the_stated_encoding_make_their_row_bad(leads: RunningService) -> None:  # noqa: F811
    sheet = HEADER.encode() + b"bad@bytes.example,Jos\xe9,M,Co,1\r\n" + good_rows(0, 1).encode()
    answer = await upload(leads.client, sheet, encoding="utf-8")
    assert tally(answer) == (2, 1, 1, [(2, "row")])


async def test_a_streamed_body_is_parsed_as_it_arrives(leads: RunningService) -> None:  # noqa: F811
    async def chunks() -> AsyncIterator[bytes]:
        data = (HEADER + good_rows(0, 300)).encode()
        for i in range(0, len(data), 1000):  # chunk edges fall inside rows and inside a UTF-8 character
            yield data[i:i + 1000]

    response = await leads.client.post("/v1/leads/import", headers=CSV, content=chunks())
    assert tally(response.json()) == (300, 300, 0, [])
