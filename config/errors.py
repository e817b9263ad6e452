"""The one error family of the domain, and its mapping to HTTP.

Services raise subclasses of `ApplicationError`; the DRF exception handler turns them into
400/403/404/409 answers with field messages, and HTML views turn them into form errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """A refusal a user can understand; `fields` maps field names to messages."""

    status_code = 400
    default_message = _("The request could not be carried out.")

    def __init__(
        self,
        message: str | None = None,
        *,
        fields: Mapping[str, str | list[str]] | None = None,
        code: str | None = None,
    ) -> None:
        # Written out in the language active where the refusal is raised (the user's).
        self.message = str(message or self.default_message)
        self.fields: dict[str, list[str]] = {
            name: [str(text)] if isinstance(text, str | Promise) else [str(t) for t in text]
            for name, text in (fields or {}).items()
        }
        self.code = code or type(self).__name__
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        """The JSON body of the HTTP answer."""
        body: dict[str, Any] = {"detail": self.message, "code": self.code}
        body.update(self.fields)
        return body


class ValidationFailed(ApplicationError):
    """Input that breaks a rule of the domain."""


class PermissionDenied(ApplicationError):
    """The user's role or ownership does not allow the action."""

    status_code = 403
    default_message = _("You are not allowed to do that.")


class NotFound(ApplicationError):
    """The object does not exist or is not visible to the user."""

    status_code = 404
    default_message = _("Not found.")


class ServiceUnavailable(ApplicationError):
    """A service the platform depends on (the chain, the broker) is not answering; nothing changed."""

    status_code = 503
    default_message = _(
        "A service the platform depends on is not answering; nothing was changed. Try again soon."
    )


class Conflict(ApplicationError):
    """The object is not in a state that allows the action (e.g. an offering already closed)."""

    status_code = 409
    default_message = _("That is not possible in the current state.")


class TooManyAttempts(ApplicationError):
    """Too many attempts in a short time (log-in guessing); `retry_after` says when to try again."""

    status_code = 429
    default_message = _("Too many attempts. Try again later.")

    def __init__(self, message: str | None = None, *, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


# PostgreSQL's SQLSTATE for a unique violation; SQLite says it in the message.
_UNIQUE_VIOLATION = "23505"


def unique_violation_conflict(exc: BaseException) -> Conflict | None:
    """A unique constraint broken by a concurrent write, as a 409 refusal (None for any other error).

    Services run in one transaction, so when the database refuses the second of two racing writes
    nothing of that request was kept.
    """
    if not isinstance(exc, IntegrityError):
        return None
    if getattr(exc.__cause__, "sqlstate", None) != _UNIQUE_VIOLATION and "UNIQUE constraint" not in str(exc):
        return None
    return Conflict(
        gettext(
            "Someone else saved the same thing at the same moment; nothing was changed. Reload and try again."
        ),
        code="ConcurrentChange",
    )
