"""The OpenAPI every service publishes documents what it really answers: RFC 9457 problems, bearer auth, roles.

FastAPI only lists a route's success and a JSON 422 of its own shape; ours answers every error as
`application/problem+json` (shared/http/problems.py), so a client generator or a contract fuzzer reading the
schema would take each 4xx for a break of contract. One hook adds them to every operation, once, with the
bearer scheme and the roles (`x-roles`, read from the route's require_roles dependency) of each secured one and
the `Idempotency-Key` header every secured write honours (shared/http/idempotency.py, a middleware the route
never sees).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import fastapi.routing
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from shared.http.auth import ROLES_ATTRIBUTE
from shared.http.idempotency import HEADER as IDEMPOTENCY_HEADER
from shared.http.idempotency import MAX_KEY_LENGTH, WRITES
from shared.http.problems import PROBLEM_JSON

# What the platform may answer on any operation, and when.
PROBLEM_STATUSES = {
    400: "Malformed request: a body that is not JSON, a cursor or header this API did not issue.",
    401: "No bearer token, or one that is expired, forged or unsigned (or a bad webhook signature).",
    403: "The token's roles or scope do not admit this operation or this record.",
    404: "No such record, or none this principal may see.",
    409: "Conflicts with the current state, or a duplicate of a request still running.",
    412: "If-Match names a version that is no longer current.",
    413: "The body is larger than the service accepts.",
    422: "Well-formed but invalid input; `errors` names each field.",
    429: "Over the rate limit; Retry-After says when to come back.",
}
_BEARER = "bearer"
ROLES_EXTENSION = "x-roles"
# Printable ASCII without spaces at either end (HTTP trims those, so a key sent with them is another key).
_IDEMPOTENCY_PARAMETER: dict[str, Any] = {
    "name": IDEMPOTENCY_HEADER, "in": "header", "required": False,
    "description": "Makes a retried write safe: the same key, principal and request within 24 h replays the first "
                   "2xx answer; the same key with another request is a 409.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "^[!-~]([ -~]*[!-~])?$"},
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `errors` names each offending field.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri-reference"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def document_problems(app: FastAPI) -> None:
    """Replace the app's OpenAPI builder with one that lists the problems and the bearer scheme."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            _add_problems(schema, _secured_operations(app))
            _add_roles(schema, _secured_operations(app))
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the schema


def _add_problems(schema: dict[str, Any], secured: dict[tuple[str, str], frozenset[str]]) -> None:
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError"):  # FastAPI's JSON 422, never sent by this API
        components["schemas"].pop(name, None)
    components["responses"] = {f"Problem{status}": _problem_response(status) for status in PROBLEM_STATUSES}
    components["securitySchemes"] = {_BEARER: {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            for status in PROBLEM_STATUSES:
                responses[str(status)] = {"$ref": f"#/components/responses/Problem{status}"}
            if (path, method) in secured:
                operation["security"] = [{_BEARER: []}]


def _add_roles(schema: dict[str, Any], secured: dict[tuple[str, str], frozenset[str]]) -> None:
    """Each secured operation names the roles it admits, for generators (`x-roles`) and for readers (its text)."""
    for (path, method), roles in secured.items():
        operation = schema.get("paths", {}).get(path, {}).get(method)
        if operation is None:
            continue
        operation[ROLES_EXTENSION] = sorted(roles)
        admitted = f"Roles: {', '.join(sorted(roles))} (bearer JWT `roles` claim)."
        operation["description"] = "\n\n".join(filter(None, [operation.get("description"), admitted]))
        if method.upper() in WRITES:
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("name", "").lower() == IDEMPOTENCY_HEADER.lower() for p in parameters):
                parameters.append(dict(_IDEMPOTENCY_PARAMETER))


def _problem_response(status: int) -> dict[str, Any]:
    return {"description": PROBLEM_STATUSES[status],
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def _secured_operations(app: FastAPI) -> dict[tuple[str, str], frozenset[str]]:
    """(path, method) of every route whose dependencies ask for a bearer token, and the roles they admit."""
    secured: dict[tuple[str, str], frozenset[str]] = {}
    for route in _api_routes(app):
        roles = _admitted_roles(route.dependant)
        if roles is not None:
            secured.update({(route.path_format, method.lower()): roles for method in route.methods})
    return secured


def _api_routes(app: FastAPI) -> Iterator[Any]:
    # Recent FastAPI keeps included routers nested; its route contexts carry the prefixed path.
    contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    for route in contexts(app.routes) if contexts else app.routes:
        if isinstance(getattr(route, "original_route", route), APIRoute):
            yield route


def _admitted_roles(dependant: Dependant) -> frozenset[str] | None:
    """The roles a route admits (every require_roles it depends on must pass), or None when it asks for none."""
    checks = [getattr(d.call, ROLES_ATTRIBUTE) for d in _all_dependencies(dependant)
              if hasattr(d.call, ROLES_ATTRIBUTE)]
    return frozenset.intersection(*checks) if checks else None


def _all_dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _all_dependencies(sub)
