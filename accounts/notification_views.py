"""The bell in the header and the notifications page: list, open, mark read, mark all read."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.notifications import (
    notification_mark_read,
    notifications_mark_all_read,
    notifications_of,
    unread_count,
)
from config.errors import NotFound
from config.pages import page_of


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@never_cache
@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    """The bell with the unread count (htmx swaps it in and refreshes it); nothing for a visitor."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(request, "accounts/_bell.html", {"unread": unread_count(_user(request))})


@never_cache
@login_required
@require_GET
def notifications_page(request: HttpRequest) -> HttpResponse:
    """The signed-in user's notifications, newest first, a page at a time."""
    user = _user(request)
    return render(
        request,
        "accounts/notifications.html",
        {"notifications": page_of(request, notifications_of(user)), "unread": unread_count(user)},
    )


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read; `open` follows its link, otherwise back to the list."""
    try:
        notification = notification_mark_read(user=_user(request), notification_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if request.POST.get("open") and url_has_allowed_host_and_scheme(
        notification.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.link or "accounts:notifications")
    return redirect(_back(request))


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    """Mark every notification read."""
    marked = notifications_mark_all_read(user=_user(request))
    if marked:
        messages.success(request, _("All notifications are marked as read."))
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    page = request.POST.get("page", "")
    url = reverse("accounts:notifications")
    return f"{url}?page={page}" if page.isdigit() and page.isascii() else url
