"""Role checks for pages and the API: each role sees only its own pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.choices import Role

View = Callable[..., HttpResponse]


def role_required(*roles: Role) -> Callable[[View], View]:
    """A page for signed-in users holding one of `roles`; others get 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if getattr(request.user, "role", None) not in roles:
                raise PermissionDenied(gettext("This page is not available to your role."))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def has_role(*roles: Role) -> type[BasePermission]:
    """An API permission class for users holding one of `roles`."""

    class HasRole(BasePermission):
        message = "This endpoint is not available to your role."

        def has_permission(self, request: Request, view: APIView) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and getattr(user, "role", None) in roles)

    HasRole.__name__ = "HasRole_" + "_".join(str(role) for role in roles)
    return HasRole
