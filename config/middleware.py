"""Session and caching rules for private answers: idle and absolute session timeouts, `no-store`."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import auth, messages
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django_htmx.http import HttpResponseClientRefresh

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
                messages.info(request, "Your session has ended. Please log in again.")
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
