"""Kinds of failure a domain can report, free of any framework; the HTTP layer maps each to a status.

Services' domain errors subclass these (e.g. `class IllegalTransition(ConflictError)`).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class InvalidInput(DomainError):
    status = 422
    title = "Invalid input"

    def __init__(self, field: str, message: str, *more: FieldError) -> None:
        super().__init__(f"{field}: {message}", [FieldError(field, message), *more])


class NotFoundError(DomainError):
    status = 404
    title = "Not found"


class ConflictError(DomainError):
    status = 409
    title = "Conflict"


class StaleWrite(ConflictError):
    """The row changed between this transaction's read and its write (a version check failed): someone else's
    transaction won the race. Not the caller's fault: the use case is run again on the fresh row
    (`@command`, the consumer's retry), and only if it keeps losing does a caller see the 409."""


class ForbiddenError(DomainError):
    status = 403
    title = "Forbidden"
