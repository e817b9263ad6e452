"""The answers to errors outside any view's own handling: branded pages, JSON under /api/.

Django renders 400 and 500 without a request context (what broke may be the database or a context
processor), so their templates stand alone; 403 and 404 are drawn inside the product's frame.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.request_id import current_request_id

SERVER_ERROR_DETAIL = _("Something went wrong on our side. Quote the request id to support.")


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 for a request Django could not accept (a malformed host or upload, a suspicious operation)."""
    if _wants_json(request):
        return JsonResponse({"detail": gettext("The request could not be read.")}, status=400)
    return HttpResponse(loader.get_template("400.html").render({}), status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403 with the reason a page gives (e.g. 'not available to your role')."""
    reason = str(exception) or gettext("You do not have access to this page.")
    if _wants_json(request):
        return JsonResponse({"detail": reason}, status=403)
    return render(request, "403.html", {"exception": str(exception)}, status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: the branded page (never the missing object's technical name), JSON under /api/."""
    if _wants_json(request):
        return JsonResponse({"detail": gettext("Not found.")}, status=404)
    return render(request, "404.html", {"request_path": request.path}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """JSON `{detail, request_id}` for the API, a plain page elsewhere (Django has logged the error)."""
    request_id = current_request_id()
    if _wants_json(request):
        return JsonResponse({"detail": str(SERVER_ERROR_DETAIL), "request_id": request_id}, status=500)
    # No request context: the page must render even when what broke is the database or a context processor.
    page = loader.get_template("500.html").render({"detail": SERVER_ERROR_DETAIL, "request_id": request_id})
    return HttpResponse(page, status=500)
