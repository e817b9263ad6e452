"""The answer to an unexpected error: a 500 that shows the request id support finds the logs by."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext_lazy as _

from config.request_id import current_request_id

SERVER_ERROR_DETAIL = _("Something went wrong on our side. Quote the request id to support.")


def server_error(request: HttpRequest) -> HttpResponse:
    """JSON `{detail, request_id}` for the API, a plain page elsewhere (Django has logged the error)."""
    request_id = current_request_id()
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(SERVER_ERROR_DETAIL), "request_id": request_id}, status=500)
    # No request context: the page must render even when what broke is the database or a context processor.
    page = loader.get_template("500.html").render({"detail": SERVER_ERROR_DETAIL, "request_id": request_id})
    return HttpResponse(page, status=500)
