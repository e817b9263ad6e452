"""Signed, expiring email-confirmation links.

A token names the account and a fingerprint of its password hash and confirmation time, signed with
the secret key: it stops working once used (the confirmation time changes) and when a new sign-up
for the same unconfirmed address replaces the password (so only the newest link works).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext

from accounts.models import User
from config.errors import ValidationFailed

SALT = "accounts.email-confirmation"


def _fingerprint(user: User) -> str:
    return salted_hmac(SALT, f"{user.password}|{user.email_confirmed_at}").hexdigest()[:20]


def confirmation_token(user: User) -> str:
    """The token of `user`'s confirmation link."""
    return signing.dumps({"user": user.pk, "state": _fingerprint(user)}, salt=SALT)


def confirmation_token_user(token: str) -> User:
    """The unconfirmed account a token confirms; refuses expired, altered, replaced and used tokens."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=settings.EMAIL_CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationFailed(
            gettext("This confirmation link has expired. Ask for a new one below."),
            code="ConfirmationExpired",
        ) from None
    except signing.BadSignature:
        raise ValidationFailed(
            gettext("This confirmation link is not valid."), code="ConfirmationInvalid"
        ) from None
    user = User.objects.filter(pk=payload["user"], is_active=True).first()
    if user is None:
        raise ValidationFailed(gettext("This confirmation link is not valid."), code="ConfirmationInvalid")
    if user.email_confirmed_at is not None:
        raise ValidationFailed(
            gettext("This email address is already confirmed: log in."), code="ConfirmationUsed"
        )
    if not constant_time_compare(payload["state"], _fingerprint(user)):
        raise ValidationFailed(
            gettext("This confirmation link was replaced by a newer one: use the latest email."),
            code="ConfirmationReplaced",
        )
    return user
