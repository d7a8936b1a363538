"""One rule for an entity id, wherever it enters: a body field, a path segment, a query or a token claim.

1-64 characters of letters, digits and `_ . : -` — what the services' POST schemas already accepted, so no id
that could be created before is refused now, and nothing that breaks a header, a log line, a CSV cell or a
file name (NUL, quotes, CR/LF, slashes, spaces) gets in through a PUT path instead.
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import StringConstraints

ID_PATTERN = r"^[A-Za-z0-9_.:-]+$"
ID_MAX_LENGTH = 64

EntityId = Annotated[str, StringConstraints(strict=True, min_length=1, max_length=ID_MAX_LENGTH,
                                            pattern=ID_PATTERN)]
"""A body or model field holding an id."""


def path_id(description: str = "the entity's id") -> Any:
    """`Annotated[str, path_id("the rep's id")]` for an `{id}` path parameter."""
    return Path(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN, description=description)


PathId = Annotated[str, path_id()]
"""An `{id}` path parameter under the same rule (422 naming the parameter when broken)."""
