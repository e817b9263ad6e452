"""Account middleware: the two-factor gate, and the record of each signed-in session."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import two_factor
from accounts.sessions import session_record

Handler = Callable[[HttpRequest], HttpResponse]
# What a session that owes its second factor may still reach, besides the page it is sent to.
_ALWAYS_OPEN = ("accounts:logout", "api-logout", "api-csrf", "api-login")
_OPEN_PREFIXES = ("/static/", "/i18n/", "/favicon")


def _presents_api_key(request: HttpRequest) -> bool:
    keyword = request.headers.get("Authorization", "").strip().partition(" ")[0].lower()
    return keyword in ("bearer", "token")


class TwoFactorGateMiddleware:
    """A signed-in session that is not verified, and owes a code (or, for staff, an authenticator),
    reaches only the code page (or the set-up page) and log-out: pages redirect there, the API answers
    403 with the reason.

    Requests with an API key are judged by the key alone (accounts/authentication.py), not here.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated or request.path.startswith(_OPEN_PREFIXES):
            return self.get_response(request)
        owed = two_factor.owed(request)
        if owed == two_factor.OPEN:
            return self.get_response(request)
        target = "accounts:login_code" if owed == two_factor.OWES_CODE else "accounts:two_factor_setup"
        match = getattr(request, "resolver_match", None) or _resolve(request.path_info)
        if match is not None and match.view_name in (target, *_ALWAYS_OPEN):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            if _presents_api_key(request):
                return self.get_response(request)
            if owed == two_factor.OWES_CODE:
                message = _("Enter your two-factor code first: log in again with otp_code.")
            else:
                message = _("Staff accounts need two-factor authentication: set it up on the website first.")
            return JsonResponse({"detail": message, "code": "TwoFactorRequired"}, status=403)
        url = reverse(target)
        if request.headers.get("HX-Request"):
            # A fragment (the bell, a live panel) asked from a page: come back to that page, not to the
            # fragment; from the code or set-up page itself, just answer nothing.
            current = urlsplit(request.headers.get("HX-Current-URL", ""))
            if current.path == url:
                return HttpResponse(status=204)
            if owed == two_factor.OWES_CODE and current.path.startswith("/"):
                url += "?" + urlencode({"next": urlunsplit(("", "", current.path, current.query, ""))})
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        if request.method == "GET" and owed == two_factor.OWES_CODE:
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)


def _resolve(path: str):  # type: ignore[no-untyped-def]
    from django.urls import Resolver404, resolve

    try:
        return resolve(path)
    except Resolver404:
        return None


class SessionRecordMiddleware:
    """After each answer to a signed-in session, its row on the sessions list (at most once a minute)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _presents_api_key(request):
            session_record(request)
        return response
