"""Turn domain refusals into form errors for HTML views."""

from __future__ import annotations

from django import forms

from config.errors import ApplicationError, ServiceUnavailable

# What a view catches around a service call: refusals, and outages of the chain or broker
# (services are atomic, so an outage leaves nothing half-written).
REFUSALS = (ApplicationError, ConnectionError, TimeoutError, OSError)


def apply_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Attach an ApplicationError's field messages to `form` (unknown fields become non-field errors)."""
    for name, messages in exc.fields.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
    if not exc.fields:
        form.add_error(None, exc.message)


def refuse(form: forms.Form, exc: Exception) -> int:
    """Show a refusal (or an outage) on `form`; returns the HTTP status to answer with: 400 or 503."""
    refusal = exc if isinstance(exc, ApplicationError) else ServiceUnavailable()
    apply_errors(form, refusal)
    return 503 if isinstance(refusal, ServiceUnavailable) else 400
