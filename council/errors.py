"""Domain errors: raised by rules, turned into pages with the right status by one handler."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    title = "The request could not be completed"

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    status_code = 403
    title = "You do not have access to this"


class NotFound(DomainError):
    status_code = 404
    title = "Page not found"


class Conflict(DomainError):
    status_code = 409
    title = "This changed meanwhile"


class Invalid(DomainError):
    """Input that breaks a rule; `errors` maps field names to translated messages."""

    status_code = 422
    title = "Please correct the form"

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class RateLimited(DomainError):
    """Too many acts of one kind by one person in a short time (comments, drafts)."""

    status_code = 429
    title = "Too many attempts"
