"""Domain errors: their messages are safe to show to the person who caused them."""
from __future__ import annotations


class DomainError(Exception):
    code = "invalid_request"
    status = 400

    def __init__(self, message: str, *, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 422


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409


class SlotUnavailable(Conflict):
    code = "slot_unavailable"


class TokenInvalid(DomainError):
    code = "invalid_token"
    status = 400


class Busy(DomainError):
    """A lock could not be taken in time; the client may simply try again."""

    code = "busy"
    status = 409
