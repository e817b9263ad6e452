"""Turn domain refusals into form errors for HTML views."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates

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


class DescribedBoundField(forms.BoundField):
    """A field whose widget's `aria-describedby` names the help and error elements the page renders.

    `templates/partials/field.html` gives them the ids `<id>_help` and `<id>_errors`, so a screen reader
    announces the help text and, after a refused post, the errors with the field. Django's own default
    points at `<id>_helptext`, which no template of ours renders.
    """

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        given = attrs.get("aria-describedby") or (widget or self.field.widget).attrs.get("aria-describedby")
        attrs = super().build_widget_attrs(attrs, widget)
        if given or not self.auto_id or self.is_hidden:
            return attrs
        described = []
        if self.help_text:
            described.append(f"{self.auto_id}_help")
        if self.errors:
            described.append(f"{self.auto_id}_errors")
        if described:
            attrs["aria-describedby"] = " ".join(described)
        else:
            attrs.pop("aria-describedby", None)
        return attrs


class FormRenderer(DjangoTemplates):
    """The project's form renderer: Django's templates, with fields described as the pages render them."""

    bound_field_class = DescribedBoundField
