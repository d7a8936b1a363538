"""Query parameters are read as declared: one the API takes once, sent twice, is refused (422 naming it), not
silently read as its last value; one the operation does not take at all is refused too (422 naming it), so a
misspelt filter (`?rep=…` for `?rep_id=…`) is never a silently unfiltered answer.

`?rep_id=a&rep_id=b` is ambiguous: which rep did the client mean? Starlette keeps both, FastAPI hands the route
the last; a client (or an attacker probing filters) must instead be told. Parameters declared as lists repeat.
An operation that reads free-form fields from the query (territory's `/match`) is marked with `open_query`.
"""
from __future__ import annotations

import types
from collections import Counter
from collections.abc import Iterator
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from fastapi import Request
from fastapi.dependencies.models import Dependant

from shared.errors import FieldError
from shared.http.problems import Problem

_MANY = (list, set, frozenset, tuple)
F = TypeVar("F")


def open_query(endpoint: F) -> F:
    """Marks a route that takes any query parameter (it reads them itself)."""
    endpoint.__dict__["open_query"] = True
    return endpoint


async def one_value_per_query_parameter(request: Request) -> None:
    """A dependency for every route (the app's `dependencies=`)."""
    counts = Counter(name for name, _ in request.query_params.multi_items())
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if not counts or dependant is None or getattr(getattr(route, "endpoint", None), "open_query", False):
        return
    fields = list(_query_fields(dependant))
    unknown = sorted(set(counts) - {f.alias for f in fields})
    if unknown:
        raise Problem(422, f"unknown query parameter(s): {', '.join(unknown)}",
                      [FieldError(name[:100], "this operation takes no such parameter") for name in unknown])
    repeated = {name for name, n in counts.items() if n > 1}
    single = sorted(f.alias for f in fields if f.alias in repeated and not _takes_many(f))
    if single:
        raise Problem(422, f"query parameter(s) given more than once: {', '.join(single)}",
                      [FieldError(name, "give this parameter once") for name in single])


def _query_fields(dependant: Dependant) -> Iterator[Any]:
    yield from dependant.query_params
    for sub in dependant.dependencies:
        yield from _query_fields(sub)


def _takes_many(field: Any) -> bool:
    return _is_collection(field.field_info.annotation)


def _is_collection(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType, Annotated):
        return any(_is_collection(arg) for arg in get_args(annotation))
    target = origin or annotation
    return isinstance(target, type) and issubclass(target, _MANY)
