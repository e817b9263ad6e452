"""API plumbing shared by every app: the one exception handler and who may read the API docs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.choices import STAFF_ROLES
from accounts.permissions import has_role
from config.errors import ApplicationError, TooManyAttempts

_StaffOnly = has_role(*STAFF_ROLES)


class ApiDocsAccess(BasePermission):
    """The schema and its docs page: everyone when API_DOCS_PUBLIC, otherwise staff roles only."""

    message = "The API documentation is available to staff only."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return settings.API_DOCS_PUBLIC or _StaffOnly().has_permission(request, view)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map domain errors to 400/403/404/409/429 with field messages; the rest goes to DRF."""
    # Only the chain boundary turns an outage into a refusal (ChainUnavailable, 503). Anything else
    # unknown is a bug: DRF re-raises it, Django logs it and `config.views.server_error` answers 500.
    if isinstance(exc, ApplicationError):
        response = Response(exc.as_dict(), status=exc.status_code)
        if isinstance(exc, TooManyAttempts):
            response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, DjangoValidationError):
        body = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(body)
    return drf_exception_handler(exc, context)


# The largest offset a paginated API accepts: past it the database cannot count (and no list is that long).
PAGE_MAX_OFFSET = 10**9


def limit_offset_page(
    request: Request, rows: Any, *, limit: int, offset: int, results: Callable[[Any], Any]
) -> dict[str, Any]:
    """One page of a query set as the paginated APIs answer it: count, next, previous, the results."""
    count = rows.count()
    url = request.build_absolute_uri()
    return {
        "count": count,
        "next": replace_query_param(url, "offset", offset + limit) if offset + limit < count else None,
        "previous": replace_query_param(url, "offset", max(offset - limit, 0)) if offset else None,
        "results": results(rows[offset : offset + limit]),
    }
