"""Turn domain refusals into form errors for HTML views."""

from __future__ import annotations

from django import forms

from config.errors import ApplicationError


def apply_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Attach an ApplicationError's field messages to `form` (unknown fields become non-field errors)."""
    for name, messages in exc.fields.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
    if not exc.fields:
        form.add_error(None, exc.message)
