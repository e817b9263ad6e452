"""API plumbing shared by every app: the one exception handler and who may read the API docs."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.choices import STAFF_ROLES
from accounts.permissions import has_role
from config import api_fields
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


# The most rows one page of a list API answers, and how many it answers unless asked.
LIST_API_MAX_LIMIT = 200
LIST_API_DEFAULT_LIMIT = 50


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


class ListPageInput(serializers.Serializer):
    """Which page of a list: at most `limit` rows after skipping `offset`."""

    limit = api_fields.IntegerField(
        min_value=1, max_value=LIST_API_MAX_LIMIT, required=False, default=LIST_API_DEFAULT_LIMIT
    )
    offset = api_fields.IntegerField(min_value=0, max_value=PAGE_MAX_OFFSET, required=False, default=0)


def list_page(
    request: Request,
    rows: Any,
    output: type[serializers.Serializer],
    *,
    results: Callable[[Any], Any] | None = None,
) -> Response:
    """The answer of a list API: one page of `rows` (`count`, `next`, `previous`, `results`), read from
    `limit` and `offset` (a bad value is a 400). `results` turns the page's rows into what `output`
    serializes when they are not the model rows themselves."""
    query = ListPageInput(data=request.query_params)
    query.is_valid(raise_exception=True)
    page = limit_offset_page(
        request,
        rows,
        limit=query.validated_data["limit"],
        offset=query.validated_data["offset"],
        results=lambda chunk: output(results(chunk) if results else chunk, many=True).data,
    )
    return Response(page)


@cache  # one schema component per row type, however many operations answer it
def page_output(output: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The schema of a list API's page of `output` rows: `FooOutput` answers `FooPageOutput`."""
    name = output.__name__.removesuffix("Output") + "PageOutput"
    fields = {
        "__module__": output.__module__,
        "__doc__": f"One page of a list: {output.__name__.removesuffix('Output')} rows.",
        "count": serializers.IntegerField(help_text="Rows in the whole list."),
        "next": serializers.CharField(allow_null=True, help_text="The next page's URL, null on the last."),
        "previous": serializers.CharField(
            allow_null=True, help_text="The previous page's URL, null on the first."
        ),
        "results": output(many=True),
    }
    return type(name, (serializers.Serializer,), fields)


class StoredFileApi(APIView):
    """An endpoint that sends one stored file as it is: a refusal is JSON whatever `Accept` asked for."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        return super().perform_content_negotiation(request, force=True)
