"""Turn domain refusals into form errors for HTML views."""

from __future__ import annotations

from django import forms

from config.errors import ApplicationError, ServiceUnavailable

# What a view catches around a service call: refusals only. The chain boundary raises its outages as
# ChainUnavailable (a refusal); any other error is a bug and must reach the logged 500 with a request id.
REFUSALS = (ApplicationError,)


def apply_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Attach an ApplicationError's field messages to `form` (unknown fields become non-field errors)."""
    for name, messages in exc.fields.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
    if not exc.fields:
        form.add_error(None, exc.message)


def refuse(form: forms.Form, exc: ApplicationError) -> int:
    """Show a refusal (or a chain outage) on `form`; returns the HTTP status to answer with: 400 or 503."""
    apply_errors(form, exc)
    return 503 if isinstance(exc, ServiceUnavailable) else 400
