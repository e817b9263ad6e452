"""Passwords: changing one (the current one first), resetting a forgotten one, how often a reset may be asked.

Reset links are Django's own (`PasswordResetView` and its token generator): the token is an HMAC of the
account's id, password hash, last log-in and email, so it stops working once used (the password
changes) and after PASSWORD_RESET_TIMEOUT. Whether an address has an account never shows: the answer
is the same, and only an existing active account gets an email.
"""

from __future__ import annotations

import hashlib
import math
from functools import partial

from django.conf import settings
from django.contrib.auth import authenticate, password_validation, update_session_auth_hash
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.lockout import attempt_begin, client_address
from accounts.models import User
from accounts.sessions import user_sessions_end_others
from compliance.audit import audit_record
from config.errors import TooManyAttempts, ValidationFailed

RESET_WINDOW_SECONDS = 60 * 60


def password_confirms(request: HttpRequest, user: User, password: str) -> bool:
    """Whether `password` is the signed-in user's, within the log-in's guessing limits (accounts/lockout.py).

    Pages that ask again for the password (change it, change the email, turn two-factor off) count
    wrong ones with log-in's: a borrowed session cannot guess the password faster than the log-in page.
    """
    attempt = attempt_begin(email=user.email, address=client_address(request))
    if authenticate(request, username=user.email, password=password) is None:
        attempt.failed()
        return False
    attempt.succeeded()
    return True


def _count(key: str) -> int:
    cache.add(key, 0, RESET_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RESET_WINDOW_SECONDS)
        return 1


def password_reset_throttle(*, request: HttpRequest, email: str) -> None:
    """Count a reset request per address asked for and per client; refuse past PASSWORD_RESETS_PER_HOUR.

    Counted whether or not the address has an account, so the refusal tells nothing about it either.
    The client's limit is four times the address's (one office behind one address).
    """
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    limit = settings.PASSWORD_RESETS_PER_HOUR
    over_email = _count(f"password-reset:email:{digest}") > limit
    over_client = _count(f"password-reset:address:{client_address(request)}") > 4 * limit
    if over_email or over_client:
        minutes = math.ceil(RESET_WINDOW_SECONDS / 60)
        raise TooManyAttempts(
            ngettext(
                "Too many reset requests. Check your inbox (and spam folder) for the link we sent, or try"
                " again in %(minutes)d minute.",
                "Too many reset requests. Check your inbox (and spam folder) for the link we sent, or try"
                " again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            retry_after=RESET_WINDOW_SECONDS,
        )


def _password_changed_notice(user: User) -> None:
    """Tell the owner, once the change commits: a change they did not make is then noticed at once."""
    body = render_to_string(
        "accounts/email/password_changed.txt", {"email": user.email, "platform": settings.PLATFORM_NAME}
    )
    subject = _("Your password was changed")
    transaction.on_commit(partial(send_mail, subject, body, None, [user.email]), robust=True)


@transaction.atomic
def user_password_change(*, request: HttpRequest, current_password: str, new_password: str) -> int:
    """Change the signed-in user's password after checking the current one; other sessions end.

    Returns how many other sessions were logged out. This session stays signed in (and verified).
    """
    user: User = request.user  # type: ignore[assignment]
    errors: dict[str, list[str]] = {}
    if not password_confirms(request, user, current_password):
        errors["current_password"] = [_("This is not your current password.")]
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        errors["new_password"] = list(exc.messages)
    if not errors and current_password == new_password:
        errors["new_password"] = [_("Choose a password different from the current one.")]
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    update_session_auth_hash(request, user)
    audit_record(actor=user, action="password_changed", obj=user)
    _password_changed_notice(user)
    return user_sessions_end_others(
        user=user, current_key=request.session.session_key, reason="password_changed"
    )


@transaction.atomic
def user_password_reset_complete(*, user: User) -> int:
    """After a reset link set a new password: every session of the account ends (whoever held one no
    longer does), and the address is confirmed (the link proved it). Returns how many sessions ended."""
    User.objects.filter(pk=user.pk, email_confirmed_at__isnull=True).update(email_confirmed_at=timezone.now())
    audit_record(actor=user, action="password_reset", obj=user)
    _password_changed_notice(user)
    return user_sessions_end_others(user=user, current_key=None, reason="password_reset")
