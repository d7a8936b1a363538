"""The OpenAPI every service publishes documents what it really answers: the RFC 9457 problems and bearer auth.

FastAPI only lists a route's success and a JSON 422 of its own shape; ours answers every error as
`application/problem+json` (shared/http/problems.py), so a client generator or a contract fuzzer reading the
schema would take each 4xx for a break of contract. One hook adds them to every operation, once.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import fastapi.routing
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

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
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _add_problems(schema: dict[str, Any], secured: set[tuple[str, str]]) -> None:
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


def _problem_response(status: int) -> dict[str, Any]:
    return {"description": PROBLEM_STATUSES[status],
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def _secured_operations(app: FastAPI) -> set[tuple[str, str]]:
    """(path, method) of every route whose dependencies ask for a bearer token with roles."""
    return {(route.path_format, method.lower())
            for route in _api_routes(app) if _needs_bearer(route.dependant)
            for method in route.methods}


def _api_routes(app: FastAPI) -> Iterator[Any]:
    # Recent FastAPI keeps included routers nested; its route contexts carry the prefixed path.
    contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    for route in contexts(app.routes) if contexts else app.routes:
        if isinstance(getattr(route, "original_route", route), APIRoute):
            yield route


def _needs_bearer(dependant: Dependant) -> bool:
    return any(getattr(d.call, "__qualname__", "").startswith("require_roles.") for d in _all_dependencies(dependant))


def _all_dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _all_dependencies(sub)
