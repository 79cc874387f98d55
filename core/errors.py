"""Domain errors: raised by services, turned into 4xx answers by one API handler and one page handler."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses. The message is shown to the person who made it."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        self.field = field


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class RateLimited(DomainError):
    status_code = 429
    code = "rate_limited"


class Unavailable(DomainError):
    status_code = 503
    code = "unavailable"
