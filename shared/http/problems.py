"""RFC 9457 problem+json for every error; a client's mistake is never a 500."""
from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from shared.errors import DomainError, FieldError
from shared.messaging.failures import is_transient

log = logging.getLogger("coxswain.http")
PROBLEM_JSON = "application/problem+json"
_TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
           409: "Conflict", 412: "Precondition failed", 413: "Payload too large", 415: "Unsupported media type",
           422: "Invalid input",
           429: "Too many requests", 500: "Internal server error", 503: "Service unavailable"}
_UNPARSABLE_BODY = "There was an error parsing the body"  # FastAPI's 400 for a body it cannot even decode
_METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class Problem(Exception):
    """Raise from a route or dependency to answer with a problem document."""

    def __init__(self, status: int, detail: str, errors: list[FieldError] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.errors, self.headers = status, detail, errors or [], headers


def problem_response(status: int, detail: str, errors: list[FieldError] | None = None,
                     headers: dict[str, str] | None = None, title: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://coxswain.dev/problems/{status}",
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "errors": [{"field": e.field, "message": e.message} for e in errors or []],
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    broken = next((e for e in exc.errors() if e.get("type") == "json_invalid"), None)
    if broken is not None:  # not JSON at all: a malformed request (400), not an invalid value (422)
        where = broken["loc"][1] if len(broken["loc"]) > 1 else 0
        message = f"not valid JSON ({broken.get('ctx', {}).get('error', 'unreadable')} at character {where})"
        return problem_response(400, f"body: {message}", [FieldError("body", message)])
    errors = [FieldError(_field_name(tuple(e["loc"])), e["msg"]) for e in exc.errors()]
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    return problem_response(422, detail, errors)


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = getattr(exc, "headers", None)
    if exc.status_code == 405:
        # Starlette's Allow names only the first route of the path; list every method routed on it.
        allow = {"Allow": ", ".join(_allowed_methods(request))}
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=allow)
        headers = {**(headers or {}), **allow}
    errors = [FieldError("body", str(exc.detail))] if exc.detail == _UNPARSABLE_BODY else None
    return problem_response(exc.status_code, str(exc.detail), errors, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    """Every method served on this path's resource: the most specific route template the path fits.

    `/v1/leads/import` is its own resource (POST), not a lead named "import" of `/v1/leads/{lead_id}`, so Allow
    names what the OpenAPI documents for the path. Templates are read as FastAPI's own OpenAPI reads them (its
    included routers no longer expose their routes as a flat list).
    """
    path = request.scope["path"]
    by_specificity: dict[int, set[str]] = {}
    for route in iter_route_contexts(request.app.router.routes):
        if route.path is None or not route.methods:
            continue
        pattern, _, params = compile_path(route.path)
        if pattern.match(path):
            by_specificity.setdefault(len(params), set()).update(route.methods)
    served = by_specificity[min(by_specificity)] if by_specificity else set()
    return [*(method for method in _METHOD_ORDER[:-1] if method in served), "OPTIONS"]


async def _problem(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(exc.status, exc.detail, exc.errors, exc.headers)


async def _domain(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return problem_response(exc.status, exc.detail, exc.errors, title=exc.title)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    if is_transient(exc):  # the database away, recovering, a lock or statement timeout: not the client's fault
        log.warning("infrastructure failure on %s %s: %r", request.method, request.url.path, exc)
        return problem_response(503, "The service's database is briefly unavailable; retry shortly.",
                                headers={"Retry-After": "1"})
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(500, "An internal error occurred; it has been logged.")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Problem, _problem)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(Exception, _unexpected)
