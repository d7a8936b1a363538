"""Conditional requests (RFC 9110 §13) on versioned records: the version is the ETag, If-Match guards writes.

A record that carries a version (a deal, a pipeline) answers with `ETag: "<version>"`. A write that sends
`If-Match` with a version that is no longer current answers 412 Precondition Failed; a read that sends
`If-None-Match` with the current one answers 304 Not Modified, with no body. A `version` field in the body is
the older way to say the same and stays a 409 Conflict when stale (it is a conflict with the state, not a
failed header precondition).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Header, Response

from shared.errors import ConflictError, FieldError, InvalidInput
from shared.http.problems import Problem

VERSION_TEXT = re.compile(r"[0-9]{1,10}")

IfMatch = Annotated[str | None, Header(
    alias="If-Match",
    description='The ETag (version) you read, e.g. "3"; a version that is no longer current answers 412.')]
IfNoneMatch = Annotated[str | None, Header(
    alias="If-None-Match", max_length=2000,
    description="The ETags you hold; the current one answers 304 Not Modified without a body.")]


def version_etag(version: int) -> str:
    return f'"{version}"'


def expected_version(if_match: str | None, body_version: int | None, max_version: int) -> int | None:
    """The version the caller read, from If-Match ("3", W/"3" or 3) or the body's `version` field."""
    if if_match is None:
        return body_version
    raw = if_match.strip().removeprefix("W/").strip('"')
    # ASCII digits only ("²".isdigit() is true) and no more than a version can hold: never a 500 from int()
    if not VERSION_TEXT.fullmatch(raw) or not 1 <= int(raw) <= max_version:
        raise Problem(400, "If-Match must carry the record's version", [FieldError("If-Match", "not a version")])
    if body_version is not None and body_version != int(raw):
        raise InvalidInput("version", "the body's version and If-Match disagree")
    return int(raw)


@contextmanager
def if_match_guard(if_match: str | None, stale: type[ConflictError]) -> Iterator[None]:
    """The domain's stale-version conflict is a 412 when the caller sent If-Match, and stays a 409 otherwise."""
    try:
        yield
    except stale as error:
        if if_match is None:
            raise
        raise Problem(412, error.detail, [FieldError("If-Match", "no longer the current version")]) from None


def not_modified(if_none_match: str | None, etag: str) -> bool:
    """Whether If-None-Match names this ETag (weak comparison, as RFC 9110 §13.1.2 asks) or is `*`."""
    if if_none_match is None:
        return False
    held = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in held or etag.removeprefix("W/") in held


def not_modified_response(etag: str) -> Response:
    return Response(status_code=304, headers={"ETag": etag})
