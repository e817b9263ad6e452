"""Middleware of the platform: session timeouts and `no-store` for private answers, request body limits,
and unique-constraint races answered as 409."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import auth, messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from django_htmx.http import HttpResponseClientRefresh

from config.errors import unique_violation_conflict
from config.i18n import supported
from config.text import megabytes

# Pages that poll for live state send this header (see templates): polling is not user activity.
POLL_HEADER = "X-Poll"
SESSION_STARTED_KEY = "session_started_at"
SESSION_ACTIVE_KEY = "session_active_at"
# Recording activity at most once a minute spares a session write on every request.
_ACTIVITY_GRANULARITY_SECONDS = 60

Handler = Callable[[HttpRequest], HttpResponse]


class SessionTimeoutMiddleware:
    """Ends a session after SESSION_IDLE_TIMEOUT_SECONDS idle or SESSION_ABSOLUTE_TIMEOUT_SECONDS in all."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            # Both clocks start at the first request a signed-in session makes.
            started = request.session.setdefault(SESSION_STARTED_KEY, now)
            active = request.session.setdefault(SESSION_ACTIVE_KEY, now)
            if (
                now - active >= settings.SESSION_IDLE_TIMEOUT_SECONDS
                or now - started >= settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS
            ):
                auth.logout(request)
                messages.info(request, gettext("Your session has ended. Please log in again."))
                if request.headers.get("HX-Request"):
                    # A log-in page swapped into the polled fragment helps nobody: reload the whole page.
                    return HttpResponseClientRefresh()
            elif POLL_HEADER not in request.headers and now - active >= _ACTIVITY_GRANULARITY_SECONDS:
                request.session[SESSION_ACTIVE_KEY] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """Answers to a signed-in user, and any that set or clear the session cookie, are never cached."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or settings.SESSION_COOKIE_NAME in response.cookies:
            add_never_cache_headers(response)
            response["Pragma"] = "no-cache"
        return response


View = TypeVar("View", bound=Callable[..., Any])


def accepts_uploads(view: View) -> View:
    """Mark a view (function or API class) whose body may carry one document."""
    view.accepts_uploads = True  # type: ignore[attr-defined]
    return view


def _body_limit(view_func: Callable[..., Any]) -> int:
    """The most bytes a request body to `view_func` may have."""
    view = getattr(view_func, "view_class", view_func)  # a class-based view is marked on its class
    return (
        settings.UPLOAD_BODY_MAX_BYTES
        if getattr(view, "accepts_uploads", False)
        else settings.REQUEST_BODY_MAX_BYTES
    )


class RequestBodyLimitMiddleware:
    """Answer 413 when the declared body is over the view's limit, and 411 when no length is declared.

    Runs before the view and before CSRF reads the form, so an oversized body is refused from its
    Content-Length without being read. A body without Content-Length (chunked) is refused as well:
    Django under WSGI reads such a body as empty, so refusing it says what would otherwise happen
    silently, and nothing is buffered to find out its size.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        declared = request.META.get("CONTENT_LENGTH") or ""
        if not declared:
            if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
                return self._refuse(
                    request,
                    411,
                    "Send the request with a Content-Length header; chunked bodies are not accepted.",
                )
            return None
        try:
            length = int(declared)
        except ValueError:
            return self._refuse(request, 400, "The Content-Length header is not a number.")
        limit = _body_limit(view_func)
        if length > limit:
            return self._refuse(
                request,
                413,
                f"The request is {megabytes(length)}; this address accepts at most {megabytes(limit)}.",
            )
        return None

    @staticmethod
    def _refuse(request: HttpRequest, status: int, message: str) -> HttpResponse:
        return refusal_response(request, status, {"detail": message, "code": "RequestBodyRefused"})


class UniqueConflictMiddleware:
    """Answer 409 when a unique constraint refused a concurrent write, for the API and the pages alike.

    An exception the API's handler does not map reaches this middleware too, so this is the one place
    that turns such a race into a refusal instead of a 500.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        conflict = unique_violation_conflict(exception)
        if conflict is None:
            return None
        return refusal_response(request, conflict.status_code, conflict.as_dict())


def refusal_response(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    """A refusal outside any view: JSON for the API, a page otherwise."""
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(body, status=status)
    return render(request, "request_refused.html", {"message": body["detail"]}, status=status)


class UserLanguageMiddleware:
    """A signed-in user's stored language (set by the switcher) wins over the cookie and the browser."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = (
            supported(getattr(user, "language", None)) if user is not None and user.is_authenticated else None
        )
        if language and language != getattr(request, "LANGUAGE_CODE", None):
            translation.activate(language)
            request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        return self.get_response(request)
