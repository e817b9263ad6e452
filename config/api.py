"""API plumbing shared by every app: the one exception handler."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import ApplicationError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map domain errors to 400/403/404/409 with field messages; the rest goes to DRF."""
    # Only the chain boundary turns an outage into a refusal (ChainUnavailable, 503). Anything else
    # unknown is a bug: DRF re-raises it, Django logs it and `config.views.server_error` answers 500.
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        body = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(body)
    return drf_exception_handler(exc, context)
