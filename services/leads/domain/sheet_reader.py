"""Reading an uploaded CSV sheet safely: off the event loop, in bounded memory, in linear time.

The parse runs in a worker thread (anyio) that pulls the body from the event loop chunk by chunk, so a hostile
file costs one thread, never the process's event loop. Python's `csv` module parses (strict RFC 4180 quoting,
`\\r\\n`, `\\n` or a lone `\\r` ending a line); what a record may cost is bounded:
- a cell holds at most `MAX_CELL_CHARS` (csv's own field limit stops the parser at 128 KiB before that),
- a record (its physical lines together) at most `MAX_RECORD_CHARS`;
a record over either is a bad row, reported by number, and the parse goes on.

A quote that never closes swallows the lines after it until the cell limit or the end of the file. Those lines
are parsed again, once, as records of their own (the one that opened the quote is the bad row), so the answer
is the same whether the stray quote is in a 10-row file or a 100,000-row one, and no line is parsed more than
twice: the parse stays linear.

The encoding is the one the client states (`?encoding=` or the Content-Type charset); otherwise a BOM, then
UTF-8 when the first 64 KiB are valid UTF-8, otherwise the best single-byte Western encoding charset-normalizer
finds (cp1252 or Latin-1). Bytes that do not decode make their row bad instead of being silently replaced.
"""
from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from charset_normalizer import from_bytes

MAX_CELL_CHARS = 64 * 1024
MAX_RECORD_CHARS = 1024 * 1024
SAMPLE_BYTES = 64 * 1024
WESTERN_SINGLE_BYTE = ["cp1252", "latin_1"]


class UnknownEncoding(ValueError):
    pass


@dataclass(frozen=True)
class Record:
    """One spreadsheet row: its number (the header is row 1) and its cells, or why it is not one."""

    row: int
    cells: list[str]
    error: str | None = None


def text_encoding(name: str) -> str:
    """The codec's canonical name; a name that is no text encoding (or none at all) is the client's mistake."""
    try:
        info = codecs.lookup(name)
        "".encode(info.name)  # rot13 and friends are str→str transforms, not encodings
    except LookupError:
        raise UnknownEncoding(f"'{name}' is not a text encoding Python knows (e.g. utf-8, cp1252, latin-1)") from None
    return info.name


def detected_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)  # a cut last character is fine
        return "utf-8"
    except UnicodeDecodeError:
        best = from_bytes(sample, cp_isolation=WESTERN_SINGLE_BYTE).best()
        return best.encoding if best is not None else "cp1252"


class BodyStream(io.RawIOBase):
    """The request body as a blocking file for the worker thread; `next_chunk` fetches from the event loop."""

    def __init__(self, next_chunk: Callable[[], bytes | None]) -> None:
        super().__init__()
        self._next, self._pending, self._ended = next_chunk, memoryview(b""), False

    def readable(self) -> bool:
        return True

    def _fill(self) -> bool:
        while not self._pending and not self._ended:
            chunk = self._next()
            if chunk is None:
                self._ended = True
            else:
                self._pending = memoryview(chunk)
        return bool(self._pending)

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]  # io hands a memoryview, typeshed says any buffer
        if not self._fill():
            return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def sample(self, size: int) -> bytes:
        """The first `size` bytes (fewer if the body is shorter), left in place to be read again."""
        held = bytearray(self._pending)
        while len(held) < size:
            chunk = self._next()
            if chunk is None:
                self._ended = True
                break
            held += chunk
        self._pending = memoryview(bytes(held))
        return bytes(held[:size])


class RecordTooLong(Exception):
    pass


class _Lines:
    """Physical lines for csv.reader, remembering those of the record being read (to replay them once)."""

    def __init__(self, text: io.TextIOBase) -> None:
        self._text = text
        self._replay: list[tuple[str, bool]] = []
        self.current: list[tuple[str, bool]] = []  # (line, is a replay)
        self._chars = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._replay:
            line, replayed = self._replay.pop()[0], True
        else:
            line, replayed = self._text.readline(MAX_RECORD_CHARS + 1), False
            if not line:
                raise StopIteration
        self.current.append((line, replayed))
        self._chars += len(line)
        if self._chars > MAX_RECORD_CHARS:
            if not line.endswith(("\n", "\r")):
                while (rest := self._text.readline(MAX_RECORD_CHARS)) and not rest.endswith(("\n", "\r")):
                    pass
            raise RecordTooLong
        return line

    def record_done(self, *, failed: bool) -> None:
        """After a failed record spanning lines, its lines but the first are read again (each line at most once)."""
        if failed and len(self.current) > 1:
            again = [(line, True) for line, replayed in self.current[1:] if not replayed]
            self._replay.extend(reversed(again))
        self.current, self._chars = [], 0


def _problem_of(cells: list[str]) -> str | None:
    for i, cell in enumerate(cells, start=1):
        if len(cell) > MAX_CELL_CHARS:
            return f"column {i} holds more than {MAX_CELL_CHARS // 1024} KiB"
        if "\ufffd" in cell:
            return f"column {i} has bytes that are not valid in the file's encoding; state it with ?encoding="
        if "\x00" in cell:
            return f"column {i} contains a NUL character"
    return None


def records(body: BodyStream, encoding: str | None) -> Iterator[Record]:
    """Every record of the sheet, numbered; runs in the worker thread (it blocks on the body)."""
    chosen = encoding or detected_encoding(body.sample(SAMPLE_BYTES))
    text = io.TextIOWrapper(io.BufferedReader(body), encoding=chosen, errors="replace", newline="")
    lines = _Lines(text)
    reader = csv.reader(lines, strict=True)
    row = 0
    while True:
        row += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            spanned = len(lines.current)
            lines.record_done(failed=True)
            again = f"; its quoted cell ran over {spanned} lines, read again as rows" if spanned > 1 else ""
            yield Record(row, [], f"not well-formed CSV ({exc}){again}")
            continue
        except RecordTooLong:
            lines.record_done(failed=True)
            yield Record(row, [], f"the row is longer than {MAX_RECORD_CHARS // (1024 * 1024)} MiB")
            continue
        lines.record_done(failed=False)
        yield Record(row, cells, _problem_of(cells))
